import Foundation

/// Reads a Hugging Face `tokenizer.json` (and `tokenizer_config.json` when present) into a
/// `TokenizerConfiguration`, mapping them the way llama.cpp's GGUF converter does, so a model
/// package that ships these files tokenizes exactly like the same model converted to GGUF.
extension TokenizerConfiguration {
    /// Loads `tokenizer.json` and, if present, `tokenizer_config.json` from `directory`.
    public init(huggingFaceDirectory directory: URL) throws {
        let tokenizerURL = directory.appendingPathComponent("tokenizer.json")
        guard let tokenizerJSON = try? Data(contentsOf: tokenizerURL) else {
            throw TokenizerError.invalidTokenizerJSON("\(tokenizerURL.path) is missing or unreadable")
        }
        let configJSON = try? Data(contentsOf: directory.appendingPathComponent("tokenizer_config.json"))
        try self.init(huggingFaceTokenizerJSON: tokenizerJSON, tokenizerConfigJSON: configJSON)
    }

    public init(huggingFaceTokenizerJSON: Data, tokenizerConfigJSON: Data? = nil) throws {
        let root = try Self.object(huggingFaceTokenizerJSON, name: "tokenizer.json")
        let config = try tokenizerConfigJSON.map { try Self.object($0, name: "tokenizer_config.json") } ?? [:]

        guard let model = root["model"] as? [String: Any] else {
            throw TokenizerError.invalidTokenizerJSON("it has no \"model\" object")
        }
        let modelType = model["type"] as? String ?? "BPE"
        guard modelType == "BPE" else { throw TokenizerError.unsupportedModelType(modelType) }
        guard let vocab = model["vocab"] as? [String: Any] else {
            throw TokenizerError.invalidTokenizerJSON("model.vocab is not an object of token → id")
        }
        let byteLevel = Self.mentionsByteLevel(root["pre_tokenizer"]) || Self.mentionsByteLevel(root["decoder"])
        guard byteLevel, (model["byte_fallback"] as? Bool) != true else {
            throw TokenizerError.unsupportedModelType("BPE without the byte-level alphabet (SentencePiece style)")
        }

        // Tokens by id: the vocabulary, then added tokens (which may also redefine vocabulary ids).
        var textByID: [Int: String] = [:]
        for (text, value) in vocab {
            guard let id = (value as? NSNumber)?.intValue, id >= 0 else {
                throw TokenizerError.invalidTokenizerJSON("the id of token \(text.debugDescription) is not a number")
            }
            textByID[id] = text
        }
        var addedTypeByID: [Int: TokenType] = [:]
        for case let added as [String: Any] in root["added_tokens"] as? [Any] ?? [] {
            guard let id = (added["id"] as? NSNumber)?.intValue, id >= 0, let content = added["content"] as? String else {
                throw TokenizerError.invalidTokenizerJSON("an entry of added_tokens lacks its id or content")
            }
            textByID[id] = content
            let special = added["special"] as? Bool ?? false
            addedTypeByID[id] = special || Self.looksSpecial(content) ? .control : .userDefined
        }
        let count = (textByID.keys.max() ?? -1) + 1
        guard count > 0 else { throw TokenizerError.emptyVocabulary }
        var tokens: [String] = []
        var types: [TokenType] = []
        tokens.reserveCapacity(count)
        types.reserveCapacity(count)
        for id in 0..<count {
            if let text = textByID[id] {
                tokens.append(text)
                types.append(addedTypeByID[id] ?? .normal)
            } else {
                // Holes in the id space become unused placeholders (llama.cpp convert_hf_to_gguf).
                tokens.append("[PAD\(id)]")
                types.append(.unused)
            }
        }

        var merges: [String] = []
        for entry in model["merges"] as? [Any] ?? [] {
            if let rule = entry as? String {
                merges.append(rule)
            } else if let pair = entry as? [String], pair.count == 2 {
                merges.append(pair[0] + " " + pair[1])
            } else {
                throw TokenizerError.invalidTokenizerJSON("a merge is neither \"a b\" nor [\"a\", \"b\"]")
            }
        }

        let idByText = Dictionary(tokens.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { first, _ in first })
        func id(ofConfigToken key: String) -> Int32? {
            let value = config[key]
            let text = value as? String ?? (value as? [String: Any])?["content"] as? String
            return text.flatMap { idByText[$0] }
        }
        let templateBOS = Self.leadingSpecialTokenOfTemplate(root["post_processor"]).flatMap { idByText[$0] }

        self.init(
            tokens: tokens,
            merges: merges,
            tokenTypes: types,
            preTokenizer: try HuggingFacePreTokenizer.ggufName(for: root["pre_tokenizer"]),
            bosTokenID: id(ofConfigToken: "bos_token") ?? templateBOS,
            eosTokenID: id(ofConfigToken: "eos_token"),
            paddingTokenID: id(ofConfigToken: "pad_token"),
            unknownTokenID: id(ofConfigToken: "unk_token"),
            addBOS: config["add_bos_token"] as? Bool ?? (templateBOS != nil ? true : nil),
            addEOS: config["add_eos_token"] as? Bool,
            cleanUpTokenizationSpaces: config["clean_up_tokenization_spaces"] as? Bool
        )
    }

    private static func object(_ data: Data, name: String) throws -> [String: Any] {
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw TokenizerError.invalidTokenizerJSON("\(name) is not a JSON object")
            }
            return object
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw TokenizerError.invalidTokenizerJSON("\(name) is not valid JSON (\(error.localizedDescription))")
        }
    }

    private static func mentionsByteLevel(_ component: Any?) -> Bool {
        guard let component = component as? [String: Any] else { return false }
        if component["type"] as? String == "ByteLevel" { return true }
        let children = (component["pretokenizers"] as? [Any] ?? []) + (component["decoders"] as? [Any] ?? [])
        return children.contains { mentionsByteLevel($0) }
    }

    /// Added tokens that look like markers are control tokens even when not flagged special
    /// (llama.cpp convert_hf_to_gguf `does_token_look_special`).
    private static func looksSpecial(_ text: String) -> Bool {
        if ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].contains(text) { return true }
        if text.hasPrefix("<|") && text.hasSuffix("|>") { return true }
        if text.hasPrefix("<｜") && text.hasSuffix("｜>") { return true }
        return text.hasPrefix("<unused") && text.hasSuffix(">")
    }

    /// A `TemplateProcessing` post-processor that starts with a special token adds it as BOS
    /// (Llama 3's `<|begin_of_text|>`).
    private static func leadingSpecialTokenOfTemplate(_ component: Any?) -> String? {
        guard let component = component as? [String: Any] else { return nil }
        if component["type"] as? String == "Sequence" {
            for child in component["processors"] as? [Any] ?? [] {
                if let found = leadingSpecialTokenOfTemplate(child) { return found }
            }
            return nil
        }
        guard component["type"] as? String == "TemplateProcessing",
              let single = component["single"] as? [Any],
              let first = single.first as? [String: Any],
              let special = first["SpecialToken"] as? [String: Any]
        else { return nil }
        return special["id"] as? String
    }
}
