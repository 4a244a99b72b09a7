/// The config blob of an Ollama manifest: what `/api/tags` shows as a model's details without
/// opening its weights (ollama `server/images.go` ConfigV2).
public struct ModelConfigBlob: Codable, Sendable, Equatable {
    public var modelFormat: String?
    public var modelFamily: String?
    public var modelFamilies: [String]?
    /// Parameter count as people write it (`135M`, `7.6B`).
    public var modelType: String?
    /// Quantization name (`Q4_1`, `Q8_0`).
    public var fileType: String?
    public var architecture: String?
    public var os: String?
    public var rootfs: RootFS?

    public struct RootFS: Codable, Sendable, Equatable {
        public var type: String
        public var diffIDs: [String]

        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }
    }

    public init(modelFormat: String?, modelFamily: String?, modelFamilies: [String]?, modelType: String?, fileType: String?, diffIDs: [String]) {
        self.modelFormat = modelFormat
        self.modelFamily = modelFamily
        self.modelFamilies = modelFamilies
        self.modelType = modelType
        self.fileType = fileType
        self.architecture = "amd64"
        self.os = "linux"
        self.rootfs = RootFS(type: "layers", diffIDs: diffIDs)
    }

    enum CodingKeys: String, CodingKey {
        case architecture, os, rootfs
        case modelFormat = "model_format"
        case modelFamily = "model_family"
        case modelFamilies = "model_families"
        case modelType = "model_type"
        case fileType = "file_type"
    }
}
