import Foundation

/// Writes a configuration as the Hugging Face files a model package ships (`tokenizer.json`,
/// `tokenizer_config.json`): the inverse of `init(huggingFaceTokenizerJSON:tokenizerConfigJSON:)`,
/// so the files read back into the same tokenizer.
extension TokenizerConfiguration {
    public struct HuggingFaceFiles: Sendable {
        public let tokenizerJSON: Data
        public let tokenizerConfigJSON: Data
    }

    public func huggingFaceFiles(chatTemplate: String? = nil) throws -> HuggingFaceFiles {
        var vocab: [String: Int] = [:]
        var added: [[String: Any]] = []
        for (id, text) in tokens.enumerated() {
            let type = id < tokenTypes.count ? tokenTypes[id] : .normal
            switch type {
            case .control: added.append(["id": id, "content": text, "special": true])
            case .userDefined: added.append(["id": id, "content": text, "special": false])
            default: break
            }
            if vocab[text] == nil { vocab[text] = id }
        }
        let root: [String: Any] = [
            "version": "1.0",
            "added_tokens": added,
            "pre_tokenizer": try Self.preTokenizerObject(for: preTokenizer),
            "decoder": ["type": "ByteLevel"],
            "model": ["type": "BPE", "vocab": vocab, "merges": merges],
        ]
        var config: [String: Any] = ["add_bos_token": addBOS ?? false, "add_eos_token": addEOS ?? false]
        func text(_ id: Int32?) -> String? { id.flatMap { Int($0) < tokens.count ? tokens[Int($0)] : nil } }
        if let bos = text(bosTokenID) { config["bos_token"] = bos }
        if let eos = text(eosTokenID) { config["eos_token"] = eos }
        if let pad = text(paddingTokenID) { config["pad_token"] = pad }
        if let unk = text(unknownTokenID) { config["unk_token"] = unk }
        if let cleanUpTokenizationSpaces { config["clean_up_tokenization_spaces"] = cleanUpTokenizationSpaces }
        if let chatTemplate { config["chat_template"] = chatTemplate }
        return HuggingFaceFiles(
            tokenizerJSON: try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys]),
            tokenizerConfigJSON: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .prettyPrinted]))
    }

    /// The `pre_tokenizer` section that `HuggingFacePreTokenizer` maps back to `name`.
    static func preTokenizerObject(for name: String?) throws -> [String: Any] {
        func split(_ pattern: String) -> [String: Any] {
            ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": pattern], "behavior": "Isolated", "invert": false],
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false],
            ]]
        }
        switch PreTokenizer(ggufName: name) {
        case .gpt2:
            return ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
        case .smollm:
            return ["type": "Sequence", "pretokenizers": [
                ["type": "Digits", "individual_digits": true],
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true],
            ]]
        case .llama3:
            return split(HuggingFacePreTokenizer.llama3Pattern)
        case .qwen2:
            return split(HuggingFacePreTokenizer.qwen2Pattern)
        case .fallback:
            throw TokenizerError.unsupportedPreTokenizer("the GGUF pre-tokenizer \(name ?? "(none)") has no tokenizer.json equivalent")
        }
    }
}
