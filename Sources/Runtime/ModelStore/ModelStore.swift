import Foundation

/// Errors from the on-disk model store, phrased for the person who has to fix them.
public enum ModelStoreError: Error, Equatable, CustomStringConvertible {
    case invalidName(String)
    case notFound(String)
    case unreadableManifest(name: String, reason: String)
    case missingBlob(name: String, digest: String)

    public var description: String {
        switch self {
        case let .invalidName(name):
            return "invalid model name '\(name)'"
        case let .notFound(name):
            return "model '\(name)' not found"
        case let .unreadableManifest(name, reason):
            return "the manifest of model '\(name)' cannot be read: \(reason)"
        case let .missingBlob(name, digest):
            return "model '\(name)' is missing its weights blob \(digest): the store is damaged; pull or create the model again"
        }
    }
}

/// The model directory in Ollama's layout: `manifests/<host>/<namespace>/<model>/<tag>` (JSON)
/// and `blobs/sha256-<hex>`.
public struct ModelStore: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    /// `$AXLLAMA_MODELS`, else `$OLLAMA_MODELS`, else `~/.axllama/models`.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment["AXLLAMA_MODELS"], !path.isEmpty { return URL(fileURLWithPath: path) }
        if let path = environment["OLLAMA_MODELS"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return URL(fileURLWithPath: home).appendingPathComponent(".axllama/models")
    }

    public func manifestURL(for name: ModelName) -> URL {
        name.manifestPathComponents.reduce(root.appendingPathComponent("manifests")) { $0.appendingPathComponent($1) }
    }

    public func blobURL(digest: String) -> URL {
        root.appendingPathComponent("blobs").appendingPathComponent(digest.replacingOccurrences(of: ":", with: "-"))
    }

    public func manifest(for name: ModelName) throws -> ModelManifest {
        let url = manifestURL(for: name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelStoreError.notFound(name.displayShortest)
        }
        do {
            return try JSONDecoder().decode(ModelManifest.self, from: data)
        } catch {
            throw ModelStoreError.unreadableManifest(name: name.displayShortest, reason: "\(error)")
        }
    }

    /// The weights of a model (the GGUF blob checked to exist, or the package directory).
    public func modelFile(for text: String) throws -> URL {
        guard let name = ModelName(text) else { throw ModelStoreError.invalidName(text) }
        return try weights(of: manifest(for: name), name: name).url
    }

    /// A package directory that has gone is not checked here: the model is still listed and
    /// removable, and loading it says that the directory is missing.
    func weights(of manifest: ModelManifest, name: ModelName) throws -> ModelWeights {
        if let layer = manifest.packageLayer {
            guard let data = FileManager.default.contents(atPath: blobURL(digest: layer.digest).path) else {
                throw ModelStoreError.missingBlob(name: name.displayShortest, digest: layer.digest)
            }
            guard let reference = try? JSONDecoder().decode(PackageReference.self, from: data) else {
                throw ModelStoreError.unreadableManifest(name: name.displayShortest, reason: "its package layer does not name a directory")
            }
            return .npuPackage(directory: URL(fileURLWithPath: reference.directory))
        }
        guard let layer = manifest.modelLayer else {
            throw ModelStoreError.unreadableManifest(name: name.displayShortest, reason: "it has no model layer")
        }
        let url = blobURL(digest: layer.digest)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelStoreError.missingBlob(name: name.displayShortest, digest: layer.digest)
        }
        return .gguf(url)
    }
}
