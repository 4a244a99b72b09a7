import Foundation

/// A vendor LLM package on disk (axera.md §3.2), in either layout, with every path resolved and
/// checked. Reading it touches no device.
public struct NPUModelPackage: Sendable, Equatable {
    public let directory: URL
    public let layout: NPUPackageLayout
    public let manifest: NPUPackageManifest
    public let layerFiles: [URL]
    public let postModelFile: URL
    public let embeddingFile: URL
    /// The directory holding `tokenizer.json` (and `tokenizer_config.json` when shipped).
    public let tokenizerDirectory: URL?
    public let postConfigFile: URL?

    /// Whether `directory` looks like a package (cheap: no file is validated beyond its manifest).
    public static func isPackage(directory: URL) -> Bool {
        (try? locateManifest(in: directory)) != nil
    }

    public init(directory: URL) throws {
        let directory = directory.standardizedFileURL
        let (layout, manifest, base) = try Self.locateManifest(in: directory)
        self.directory = directory
        self.layout = layout
        self.manifest = manifest
        func file(_ relative: String, _ role: String) throws -> URL {
            let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : base.appendingPathComponent(relative)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw NPUEngineError.missingFile(path: url.path, role: role)
            }
            return url
        }
        layerFiles = try (0 ..< manifest.layerCount).map { try file(manifest.layerFile($0), "layer model \($0)") }
        postModelFile = try file(manifest.postModel, "post model")
        embeddingFile = try file(manifest.embeddings, "embedding table")
        postConfigFile = try manifest.postConfig.map { try file($0, "post_config.json") }
            ?? Self.existing(base.appendingPathComponent("post_config.json"))
        tokenizerDirectory = try Self.tokenizerDirectory(manifest.tokenizer, base: base)
    }

    /// The manifest and the directory its paths are relative to.
    static func locateManifest(in directory: URL) throws -> (NPUPackageLayout, NPUPackageManifest, URL) {
        let path = directory.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw NPUEngineError.notAPackage(directory: path, reason: "it is not a directory")
        }
        let config = directory.appendingPathComponent("config.json")
        if let data = try? Data(contentsOf: config), !data.isEmpty,
           let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
           let manifest = try NPUPackageManifest(config: object, directory: path)
        {
            return (.configJSON, manifest, directory)
        }
        let scripts = (try? FileManager.default.contentsOfDirectory(atPath: path))?.filter { $0.hasSuffix(".sh") }.sorted() ?? []
        // Prefer the AXCL (PCIe card) script over the board one; both name the same files.
        for name in scripts.sorted(by: { ($0.contains("axcl") ? 0 : 1) < ($1.contains("axcl") ? 0 : 1) }) {
            guard let text = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8),
                  let script = RunScript(parsing: text) else { continue }
            return (.runScript, try NPUPackageManifest(runScript: script, directory: path), directory)
        }
        throw NPUEngineError.notAPackage(
            directory: path, reason: "it has neither a config.json naming template_filename_axmodel nor a run script passing it")
    }

    private static func existing(_ url: URL) -> URL? {
        FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// The named tokenizer file or directory, else the first subdirectory (or the package itself)
    /// that holds a `tokenizer.json`, as old packages ship `qwen2.5_tokenizer/`.
    private static func tokenizerDirectory(_ named: String?, base: URL) throws -> URL? {
        if let named, !named.isEmpty {
            let url = named.hasPrefix("/") ? URL(fileURLWithPath: named) : base.appendingPathComponent(named)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
                let directory = isDirectory.boolValue ? url : url.deletingLastPathComponent()
                if existing(directory.appendingPathComponent("tokenizer.json")) != nil { return directory }
            }
        }
        if existing(base.appendingPathComponent("tokenizer.json")) != nil { return base }
        let children = (try? FileManager.default.contentsOfDirectory(atPath: base.path))?.sorted() ?? []
        for child in children {
            let candidate = base.appendingPathComponent(child)
            if existing(candidate.appendingPathComponent("tokenizer.json")) != nil { return candidate }
        }
        return nil
    }
}
