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
    /// Our own layer kind: a small JSON blob naming an NPU model package directory by absolute path.
    public static let npuPackageMediaType = "application/vnd.axllama.npu.package"

    /// The layer holding the weights (a GGUF file).
    public var modelLayer: Layer? { layers.first { $0.mediaType == Self.modelMediaType } }

    /// The layer referencing an NPU model package directory.
    public var packageLayer: Layer? { layers.first { $0.mediaType == Self.npuPackageMediaType } }
}
