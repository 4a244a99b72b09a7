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

    /// The absolute path of the directory FROM names (an NPU model package), if it names one
    /// that exists here: the server resolves paths against its own working directory, not the
    /// Modelfile's folder, so a relative one is sent resolved.
    static func directory(in text: String, relativeTo folder: URL) -> String? {
        guard let from = try? Modelfile(parsing: text).from else { return nil }
        let expanded = NSString(string: from).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : folder.appendingPathComponent(expanded)
        var isDirectory: ObjCBool = false
        guard expanded.hasPrefix("/") || expanded.hasPrefix("."),
              FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        return url.standardizedFileURL.path
    }
}

enum SHA256 {
    static func hex(_ data: Data) -> String {
        var digest = SHA256Digest()
        data.withUnsafeBytes { digest.update($0) }
        return digest.finalizeHex()
    }
}
