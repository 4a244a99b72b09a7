/// Texts by which llama.cpp recognises end-of-generation and other control tokens when the model
/// file does not name them; such tokens are treated as control tokens whatever their stored type
/// (llama.cpp llama-vocab, "auto-detect special tokens by text").
enum SpecialTokenNames {
    /// Candidates for the end-of-turn token, most specific first.
    static let endOfTurn: [String] = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
        "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>",
    ]

    static let endOfMessage = "<|eom_id|>"

    /// Every token with one of these texts ends generation.
    static let endOfGeneration: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<end_of_turn>", "<|endoftext|>",
        "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>",
        "<｜end▁of▁sentence｜>",
    ]

    /// Fill-in-the-middle padding, repository and file separators: control tokens that also end
    /// generation.
    static let fillInMiddleEnds: Set<String> = [
        "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]",
        "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>",
        "<|file_sep|>",
    ]

    /// Fill-in-the-middle markers: control tokens that do not end generation.
    static let fillInMiddleMarkers: Set<String> = [
        "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>",
        "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>",
        "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>",
    ]
}
