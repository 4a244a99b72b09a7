import EngineInterface

/// Why a GGUF model cannot be loaded or run by the CPU engine.
public enum CPUEngineError: Error, Equatable, CustomStringConvertible {
    case unsupportedArchitecture(String?)
    case missingMetadata(key: String)
    case missingTensor(name: String)
    case unsupportedTensorType(tensor: String, type: String)
    case unexpectedShape(tensor: String, expected: [Int], found: [Int])
    case invalidHyperparameters(String)
    case unsupportedRopeScaling(String)
    case emptyInput

    public var description: String {
        switch self {
        case .unsupportedArchitecture(let name):
            let known = TransformerArchitecture.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
            return "the CPU engine runs \(known) GGUF models; this file declares architecture "
                + "`\(name ?? "(none)")`"
        case .missingMetadata(let key):
            return "the GGUF file lacks the metadata key `\(key)`, which the forward pass needs"
        case .missingTensor(let name):
            return "the GGUF file lacks the tensor `\(name)`"
        case .unsupportedTensorType(let tensor, let type):
            return "tensor `\(tensor)` is stored as \(type); the CPU engine supports F32, F16, BF16, "
                + "Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K and Q6_K (requantize the model to one of those, e.g. "
                + "Q4_K_M or Q8_0)"
        case .unexpectedShape(let tensor, let expected, let found):
            return "tensor `\(tensor)` has shape \(found) but the model's metadata implies \(expected)"
        case .invalidHyperparameters(let detail):
            return "the model's hyperparameters are inconsistent: \(detail)"
        case .unsupportedRopeScaling(let type):
            return "the model uses RoPE scaling `\(type)`; the CPU engine supports none, linear and "
                + "Llama 3 frequency factors (`rope_freqs.weight`)"
        case .emptyInput:
            return "nothing to evaluate: the token list is empty"
        }
    }
}
