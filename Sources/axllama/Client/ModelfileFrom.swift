import Foundation
import Runtime

/// The local file a Modelfile's FROM names, if it names one (relative paths are relative to the
/// Modelfile's folder, as with `ollama create`).
enum ModelfileFrom {
    struct NotAFile: Error {}

    static func path(in text: String, relativeTo folder: URL) throws -> URL {
        guard let from = try Modelfile(parsing: text).from else { throw NotAFile() }
        let expanded = NSString(string: from).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : folder.appendingPathComponent(expanded)
        var isDirectory: ObjCBool = false
        guard from.hasPrefix("/") || from.hasPrefix(".") || from.hasPrefix("~") || from.lowercased().hasSuffix(".gguf"),
              FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { throw NotAFile() }
        return url
    }
}

enum SHA256 {
    static func hex(_ data: Data) -> String {
        var digest = SHA256Digest()
        data.withUnsafeBytes { digest.update($0) }
        return digest.finalizeHex()
    }
}
