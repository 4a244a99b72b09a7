/// Why a model file could not become a running model.
public enum ModelLoadError: Error, Equatable, CustomStringConvertible {
    case missingMetadata(key: String)
    case unsupportedTokenizer(String)
    case unsupportedArchitecture(String)
    case noEngine(format: String, engines: [String])

    public var description: String {
        switch self {
        case let .missingMetadata(key):
            return "the model file lacks the metadata key '\(key)'"
        case let .unsupportedTokenizer(model):
            return "tokenizer model '\(model)' is not supported (byte-level BPE, 'gpt2', is)"
        case let .unsupportedArchitecture(architecture):
            return "model architecture '\(architecture)' is not supported"
        case let .noEngine(format, engines):
            return "no engine of this server runs '\(format)' models (engines: \(engines.joined(separator: ", ")))"
        }
    }
}
