/// Everything needed to build a byte-level BPE tokenizer, in plain values. A GGUF adapter fills it
/// from `tokenizer.ggml.*` metadata; `init(huggingFaceTokenizerJSON:tokenizerConfigJSON:)` fills it
/// from Hugging Face files. Token ids are `Int32`, the engine's `TokenID`.
public struct TokenizerConfiguration: Sendable, Equatable {
    /// Token texts by id, in the byte-level alphabet (`tokenizer.ggml.tokens`).
    public var tokens: [String]
    /// Merge rules "left right", rank = index (`tokenizer.ggml.merges`).
    public var merges: [String]
    /// One type per token (`tokenizer.ggml.token_type`); empty means every token is normal.
    public var tokenTypes: [TokenType]
    /// Pre-tokenizer name as GGUF spells it (`tokenizer.ggml.pre`), e.g. `smollm`, `qwen2`,
    /// `llama-bpe`, `gpt-2`. `nil` or an unknown name selects llama.cpp's default split.
    public var preTokenizer: String?

    public var bosTokenID: Int32?
    public var eosTokenID: Int32?
    /// End of turn; when absent it is found by its text (`<|im_end|>`, `<|eot_id|>`, …).
    public var eotTokenID: Int32?
    public var eomTokenID: Int32?
    public var paddingTokenID: Int32?
    public var unknownTokenID: Int32?

    /// `tokenizer.ggml.add_bos_token`; `nil` uses the pre-tokenizer's default (true for Llama-3).
    public var addBOS: Bool?
    /// `tokenizer.ggml.add_eos_token`; `nil` means false.
    public var addEOS: Bool?
    /// Whether decoding removes spaces before punctuation (`clean_up_tokenization_spaces`);
    /// `nil` uses the pre-tokenizer's default as llama.cpp does.
    public var cleanUpTokenizationSpaces: Bool?

    public init(
        tokens: [String], merges: [String], tokenTypes: [TokenType] = [], preTokenizer: String?,
        bosTokenID: Int32? = nil, eosTokenID: Int32? = nil, eotTokenID: Int32? = nil,
        eomTokenID: Int32? = nil, paddingTokenID: Int32? = nil, unknownTokenID: Int32? = nil,
        addBOS: Bool? = nil, addEOS: Bool? = nil, cleanUpTokenizationSpaces: Bool? = nil
    ) {
        self.tokens = tokens
        self.merges = merges
        self.tokenTypes = tokenTypes
        self.preTokenizer = preTokenizer
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.eotTokenID = eotTokenID
        self.eomTokenID = eomTokenID
        self.paddingTokenID = paddingTokenID
        self.unknownTokenID = unknownTokenID
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.cleanUpTokenizationSpaces = cleanUpTokenizationSpaces
    }
}
