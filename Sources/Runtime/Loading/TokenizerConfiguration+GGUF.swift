import GGUF
import Tokenizer

extension TokenizerConfiguration {
    /// Reads a GGUF file's `tokenizer.ggml.*` metadata (llama.cpp `llama-vocab` key names).
    public init(ggufFile file: GGUFFile) throws {
        guard let model = file.string("tokenizer.ggml.model") else {
            throw ModelLoadError.missingMetadata(key: "tokenizer.ggml.model")
        }
        // Only byte-level BPE is implemented; SentencePiece (`llama`) vocabularies are another model.
        guard model == "gpt2" else { throw ModelLoadError.unsupportedTokenizer(model) }
        guard let tokens = file.strings("tokenizer.ggml.tokens") else {
            throw ModelLoadError.missingMetadata(key: "tokenizer.ggml.tokens")
        }
        func id(_ key: String) -> Int32? { file.int(key).map(Int32.init) }
        self.init(
            tokens: tokens,
            merges: file.strings("tokenizer.ggml.merges") ?? [],
            tokenTypes: (file.ints("tokenizer.ggml.token_type") ?? []).map { TokenType(rawValue: Int32($0)) ?? .undefined },
            preTokenizer: file.string("tokenizer.ggml.pre"),
            bosTokenID: id("tokenizer.ggml.bos_token_id"),
            eosTokenID: id("tokenizer.ggml.eos_token_id"),
            eotTokenID: id("tokenizer.ggml.eot_token_id"),
            eomTokenID: id("tokenizer.ggml.eom_token_id"),
            paddingTokenID: id("tokenizer.ggml.padding_token_id"),
            unknownTokenID: id("tokenizer.ggml.unknown_token_id"),
            addBOS: file.bool("tokenizer.ggml.add_bos_token"),
            addEOS: file.bool("tokenizer.ggml.add_eos_token")
        )
    }
}
