import AXCL

/// Why an NPU model package could not be read, loaded or run.
public enum NPUEngineError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAPackage(directory: String, reason: String)
    case missingFile(path: String, role: String)
    case invalidPackage(directory: String, reason: String)
    case embeddingSizeMismatch(path: String, bytes: Int, vocabulary: Int, hidden: Int)
    case unsupportedLayerModel(path: String, reason: String)
    case inconsistentLayers(path: String, reason: String)
    case insufficientCMM(loadedLayers: Int, totalLayers: Int, neededKiB: Int, freeKiB: Int)
    case device(AXCLError)
    case deviceUnavailable(String)
    case embeddingsUnsupported
    case emptyInput

    public var description: String {
        switch self {
        case let .notAPackage(directory, reason):
            return "\(directory) is not an NPU model package: \(reason)"
        case let .missingFile(path, role):
            return "the package's \(role) \(path) does not exist"
        case let .invalidPackage(directory, reason):
            return "the NPU model package in \(directory) is inconsistent: \(reason)"
        case let .embeddingSizeMismatch(path, bytes, vocabulary, hidden):
            return "\(path) holds \(bytes) bytes but \(vocabulary) tokens x \(hidden) values need \(vocabulary * hidden * 2) as bf16 "
                + "or \(vocabulary * hidden * 4) as fp32; tokens_embed_num / tokens_embed_size do not match the file"
        case let .unsupportedLayerModel(path, reason):
            return "\(path) is not a decoder-layer model this engine can drive: \(reason)"
        case let .inconsistentLayers(path, reason):
            return "\(path) does not match the package's other layers: \(reason)"
        case let .insufficientCMM(loaded, total, needed, free):
            return "not enough card memory (CMM) for the model: after \(loaded) of \(total) layers it needs about "
                + "\(needed / 1024) MiB more but \(free / 1024) MiB are free; the load was undone. "
                + "Unload other models, use a smaller context, or a smaller package"
        case let .device(error):
            return "the NPU card failed: \(error)"
        case let .deviceUnavailable(reason):
            return "the NPU card is unavailable: \(reason)"
        case .emptyInput:
            return "forward needs at least one token"
        case .embeddingsUnsupported:
            return "NPU model packages have no embedding output; use a CPU (GGUF) model for embeddings"
        }
    }
}
