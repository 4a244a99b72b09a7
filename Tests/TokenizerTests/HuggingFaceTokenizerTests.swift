import Foundation
import Testing
import Tokenizer

struct HuggingFaceTokenizerTests {
    private static func fixtureDirectory() throws -> URL {
        try #require(Bundle.module.url(forResource: "tiny-llama3-tokenizer", withExtension: nil, subdirectory: "Fixtures"))
    }

    @Test func tokenizerJSONWithConfigLoadsVocabularyMergesAndSpecialTokens() throws {
        let configuration = try TokenizerConfiguration(huggingFaceDirectory: Self.fixtureDirectory())
        #expect(configuration.tokens.count == 29)
        #expect(configuration.preTokenizer == "llama-bpe")
        #expect(configuration.bosTokenID == 26)
        #expect(configuration.eosTokenID == 27)
        #expect(configuration.addBOS == true)
        #expect(configuration.tokenTypes[26] == .control)
        #expect(configuration.tokenTypes[28] == .userDefined)

        let tokenizer = try BPETokenizer(configuration: configuration)
        #expect(tokenizer.encode("hello world 12345!") == [26, 17, 22, 13, 24, 25, 0])
        #expect(tokenizer.encode("hello world 12345!", addSpecial: false) == [17, 22, 13, 24, 25, 0])
        #expect(tokenizer.isEndOfGeneration(27))
    }

    @Test func addedTokensFollowTheirSpecialFlag() throws {
        let tokenizer = try BPETokenizer(configuration: TokenizerConfiguration(huggingFaceDirectory: Self.fixtureDirectory()))
        // The non-special added token is always matched; the special one only when parsing special.
        #expect(tokenizer.encode("<think>hello<|eot_id|>", addSpecial: false, parseSpecial: true) == [28, 17, 27])
        let unparsed = tokenizer.encode("<think>hello<|eot_id|>", addSpecial: false, parseSpecial: false)
        #expect(unparsed.first == 28)
        #expect(!unparsed.contains(27))
        #expect(tokenizer.decode([26, 17, 27]) == "hello")
        #expect(tokenizer.decode([26, 17, 27], renderSpecial: true) == "<|begin_of_text|>hello<|eot_id|>")
    }

    @Test func mergesWrittenAsPairsMeanTheSameAsStrings() throws {
        let url = try Self.fixtureDirectory().appendingPathComponent("tokenizer.json")
        var root = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var model = try #require(root["model"] as? [String: Any])
        let merges = try #require(model["merges"] as? [String])
        model["merges"] = merges.map { $0.split(separator: " ").map(String.init) }
        root["model"] = model
        let pairs = try TokenizerConfiguration(huggingFaceTokenizerJSON: JSONSerialization.data(withJSONObject: root))
        let strings = try TokenizerConfiguration(huggingFaceTokenizerJSON: Data(contentsOf: url))
        #expect(pairs.merges == strings.merges)
        // Without tokenizer_config.json there is no BOS, and the Llama-3 default still asks for one.
        #expect(pairs.bosTokenID == nil)
    }

    @Test func unknownSplitPatternsAreRejectedWithTheirText() throws {
        let json = #"{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\w+"}, "behavior": "Isolated"}, {"type": "ByteLevel", "use_regex": false}]}}"#
        #expect(throws: TokenizerError.unsupportedPreTokenizer(#"split pattern "\\w+""#)) {
            try TokenizerConfiguration(huggingFaceTokenizerJSON: Data(json.utf8))
        }
    }

    @Test func nonBPEModelsAreRejected() {
        let json = #"{"model": {"type": "Unigram", "vocab": []}}"#
        #expect(throws: TokenizerError.unsupportedModelType("Unigram")) {
            try TokenizerConfiguration(huggingFaceTokenizerJSON: Data(json.utf8))
        }
    }

    /// The default model's vocabulary written out as a tokenizer.json (as its Hugging Face package
    /// ships it) must tokenize the golden corpus exactly as the GGUF does.
    @Test(.enabled(if: DefaultModelTokenizer.isAvailable))
    func defaultModelAsTokenizerJSONMatchesTheGoldens() throws {
        let gguf = try #require(DefaultModelTokenizer.configuration)
        let files = try gguf.huggingFaceFiles()
        let configuration = try TokenizerConfiguration(
            huggingFaceTokenizerJSON: files.tokenizerJSON, tokenizerConfigJSON: files.tokenizerConfigJSON)
        #expect(configuration.preTokenizer == "smollm")
        let tokenizer = try BPETokenizer(configuration: configuration)
        for golden in try TokenizerGoldens.load().cases {
            let ids = tokenizer.encode(golden.text, addSpecial: golden.addSpecial, parseSpecial: golden.parseSpecial)
            #expect(ids == golden.ids, "text \(golden.text.debugDescription)")
        }
    }
}
