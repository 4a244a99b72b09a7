/// Why a GGUF model could not be turned into an NPU package.
public enum ConversionError: Error, Equatable, CustomStringConvertible {
    case unsupportedArchitecture(String?)
    case missingMetadata(String)
    case missingTensor(String)
    case unexpectedShape(tensor: String, dimensions: [Int], expected: [Int])
    case unsupportedTensorType(tensor: String, type: String)
    case invalidOptions(String)
    case unsupportedRoPE(String)
    case outputExists(String)

    public var description: String {
        switch self {
        case let .unsupportedArchitecture(name):
            return "the converter handles llama, qwen2 and qwen3 models, not \(name ?? "a model without general.architecture")"
        case let .missingMetadata(key):
            return "the GGUF file lacks the metadata key \(key)"
        case let .missingTensor(name):
            return "the GGUF file lacks the tensor \(name)"
        case let .unexpectedShape(tensor, dimensions, expected):
            return "tensor \(tensor) has dimensions \(dimensions) where \(expected) was expected"
        case let .unsupportedTensorType(tensor, type):
            return "tensor \(tensor) is stored as \(type), which the converter cannot dequantize"
        case let .unsupportedRoPE(what):
            return "\(what) is not supported by simulated layer models"
        case let .invalidOptions(reason):
            return "invalid conversion options: \(reason)"
        case let .outputExists(path):
            return "\(path) exists and is not empty; choose a new directory"
        }
    }
}
