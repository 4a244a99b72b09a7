import Foundation

/// What the store and the model endpoints learn from a model package directory without loading
/// it onto a device.
public struct ModelPackageSummary: Sendable, Equatable {
    /// The `format` of `/api/tags` details (`axmodel`).
    public var format: String
    /// Architecture family (`qwen2`, `llama`).
    public var family: String
    /// Parameter count as people write it (`1.5B`), when the package name says it.
    public var parameterSize: String?
    /// Quantization from the package name (`W8A16`), when it says it.
    public var quantization: String?
    /// Positions of the decode group, when the package states them.
    public var contextLength: Int?
    public var embeddingLength: Int
    public var vocabularySize: Int
    public var layerCount: Int
    /// The Hugging Face chat template of the package's tokenizer configuration.
    public var chatTemplate: String?
    /// Sampling defaults the package ships, under Modelfile PARAMETER names.
    public var defaultParameters: [String: PackageParameter]

    public init(format: String, family: String, parameterSize: String?, quantization: String?, contextLength: Int?,
                embeddingLength: Int, vocabularySize: Int, layerCount: Int, chatTemplate: String?,
                defaultParameters: [String: PackageParameter]) {
        self.format = format
        self.family = family
        self.parameterSize = parameterSize
        self.quantization = quantization
        self.contextLength = contextLength
        self.embeddingLength = embeddingLength
        self.vocabularySize = vocabularySize
        self.layerCount = layerCount
        self.chatTemplate = chatTemplate
        self.defaultParameters = defaultParameters
    }
}

/// A PARAMETER value a package supplies.
public enum PackageParameter: Sendable, Equatable {
    case integer(Int)
    case number(Double)

    /// JSON text (Swift prints the shortest decimal that reads back as the same double).
    var jsonText: String {
        switch self {
        case let .integer(value): return String(value)
        case let .number(value): return value.isFinite ? String(value) : "0"
        }
    }
}

/// Reads model package directories of one kind. Runtime sees packages only through this seam;
/// the engine module that runs them implements it, and the executable passes it in.
public protocol ModelPackageReader: Sendable {
    /// The package's summary; throws an error naming what is missing when `directory` is not one.
    func summary(of directory: URL) throws -> ModelPackageSummary
}
