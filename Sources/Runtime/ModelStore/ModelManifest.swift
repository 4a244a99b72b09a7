/// An Ollama image manifest: a config blob and layers, each addressed by digest.
public struct ModelManifest: Codable, Sendable, Equatable {
    public struct Layer: Codable, Sendable, Equatable {
        public var mediaType: String
        public var digest: String
        public var size: Int

        public init(mediaType: String, digest: String, size: Int) {
            self.mediaType = mediaType
            self.digest = digest
            self.size = size
        }
    }

    public var schemaVersion: Int
    public var mediaType: String
    public var config: Layer
    public var layers: [Layer]

    public static let modelMediaType = "application/vnd.ollama.image.model"

    /// The layer holding the weights (a GGUF file).
    public var modelLayer: Layer? { layers.first { $0.mediaType == Self.modelMediaType } }
}
