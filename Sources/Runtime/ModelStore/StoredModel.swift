import Foundation

/// A model in the store with everything its manifest points at: the weights file and the
/// Modelfile layers (template, system prompt, parameters, messages, license).
public struct StoredModel: Sendable {
    public let name: ModelName
    public let manifest: ModelManifest
    /// Hex SHA-256 of the manifest file (what `/api/tags` shows as `digest`).
    public let manifestDigest: String
    /// The manifest's modification time, seconds and nanoseconds since 1970.
    public let modifiedAt: (seconds: Int64, nanoseconds: Int32)
    public let weights: ModelWeights
    /// The GGUF blob, or the package directory.
    public var modelFile: URL { weights.url }
    public let config: ModelConfigBlob?
    public let template: String?
    public let system: String?
    public let license: [String]
    /// The `params` layer: a JSON object of Modelfile PARAMETERs.
    public let parametersJSON: Data?
    /// The `messages` layer: a JSON array of Modelfile MESSAGEs.
    public let messagesJSON: Data?

    /// Bytes of all layers and the config, as Ollama reports `size`.
    public var totalSize: Int64 { Int64(manifest.layers.reduce(manifest.config.size) { $0 + $1.size }) }

    public static let templateMediaType = "application/vnd.ollama.image.template"
    public static let systemMediaType = "application/vnd.ollama.image.system"
    public static let parametersMediaType = "application/vnd.ollama.image.params"
    public static let messagesMediaType = "application/vnd.ollama.image.messages"
    public static let licenseMediaType = "application/vnd.ollama.image.license"

    init(name: ModelName, manifest: ModelManifest, manifestDigest: String, modifiedAt: (Int64, Int32), store: ModelStore) throws {
        self.name = name
        self.manifest = manifest
        self.manifestDigest = manifestDigest
        self.modifiedAt = modifiedAt
        weights = try store.weights(of: manifest, name: name)
        func blob(_ digest: String) -> Data? { FileManager.default.contents(atPath: store.blobURL(digest: digest).path) }
        func text(_ mediaType: String) -> String? {
            manifest.layers.last { $0.mediaType == mediaType }.flatMap { blob($0.digest) }.map { String(decoding: $0, as: UTF8.self) }
        }
        config = blob(manifest.config.digest).flatMap { try? JSONDecoder().decode(ModelConfigBlob.self, from: $0) }
        template = text(Self.templateMediaType)
        system = text(Self.systemMediaType)
        license = manifest.layers.filter { $0.mediaType == Self.licenseMediaType }.compactMap { blob($0.digest) }.map { String(decoding: $0, as: UTF8.self) }
        parametersJSON = manifest.layers.last { $0.mediaType == Self.parametersMediaType }.flatMap { blob($0.digest) }
        messagesJSON = manifest.layers.last { $0.mediaType == Self.messagesMediaType }.flatMap { blob($0.digest) }
    }
}
