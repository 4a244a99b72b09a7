/// Why a tokenizer could not be built.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    case emptyVocabulary
    case tokenTypeCountMismatch(tokens: Int, types: Int)
    case duplicateToken(String, firstID: Int, secondID: Int)
    case invalidTokenizerJSON(String)
    case unsupportedModelType(String)
    case unsupportedPreTokenizer(String)

    public var description: String {
        switch self {
        case .emptyVocabulary:
            return "the tokenizer has no vocabulary: the model file lacks tokenizer.ggml.tokens (or model.vocab in tokenizer.json)"
        case let .tokenTypeCountMismatch(tokens, types):
            return "the vocabulary has \(tokens) tokens but \(types) token types; the model file is inconsistent, re-convert it"
        case let .duplicateToken(text, first, second):
            return "the vocabulary holds the token '\(text)' twice (ids \(first) and \(second)); the model file is corrupt, re-convert it"
        case let .invalidTokenizerJSON(reason):
            return "tokenizer.json cannot be read: \(reason)"
        case let .unsupportedModelType(type):
            return "tokenizer.json uses the model type '\(type)'; only byte-level BPE is supported"
        case let .unsupportedPreTokenizer(detail):
            return "tokenizer.json uses a pre-tokenizer this server does not know (\(detail)); supported are the GPT-2, Llama-3, Qwen2 and SmolLM splits"
        }
    }
}
