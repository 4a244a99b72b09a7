import GGUF
import Tokenizer

/// Maps a GGUF file's `tokenizer.ggml.*` metadata onto `TokenizerConfiguration`, the way the
/// runtime's loader does, so the tests exercise the real model's vocabulary.
extension TokenizerConfiguration {
    init(gguf file: GGUFFile) {
        func id(_ key: String) -> Int32? { file.int(key).map(Int32.init) }
        self.init(
            tokens: file.strings("tokenizer.ggml.tokens") ?? [],
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
