import EngineInterface
import Foundation
import GGUF
import Testing
import TestSupport
import Tokenizer
@testable import Runtime

/// Mask computation per token for the default model's vocabulary and a synthetic one of Qwen's
/// size. Bounds are loose (a shared machine); the figures are printed for the record.
@Suite(.serialized, .tags(.benchmark)) struct GrammarBenchmarkTests {
    static let schema = """
        {"type":"object","properties":{"title":{"type":"string"},"cues":{"type":"array","items":{"type":"object",
         "properties":{"at":{"type":"integer","minimum":0,"maximum":600},"color":{"enum":["red","green","blue","white"]},
         "note":{"type":"string"}},"required":["at","color"]}}},"required":["title","cues"]}
        """
    static let output = """
        {"title": "Morning tide, slow and blue", "cues": [{"at": 0, "color": "blue", "note": "fade in over the whole room"},
         {"at": 45, "color": "white", "note": "sparkle on the water, 世界"}, {"at": 120, "color": "green"}]}
        """

    func report(_ name: String, _ result: GrammarMaskBenchmark.Result) {
        print("grammar mask, \(name): \(result)")
        #expect(result.meanPerToken < .milliseconds(5))
        #expect(result.coldStringMask < .milliseconds(200))
    }

    @Test func syntheticQwenSizedVocabulary() throws {
        let tokens = GrammarMaskBenchmark.syntheticVocabulary(size: 151_936)
        let result = try GrammarMaskBenchmark.run(vocabulary: tokens, endOfGeneration: [], grammar: try .jsonSchema(text: Self.schema),
                                                  output: Self.output, stringPrefix: #"{"title": "Mor"#)
        report("synthetic 151936", result)
        try freeTextCases(tokens, endOfGeneration: [], name: "synthetic 151936")
    }

    @Test(.enabled(if: TestModels.hasDefaultModel)) func defaultModelVocabulary() throws {
        let file = try GGUFFile(path: TestModels.defaultModelURL()!.path)
        let tokenizer = try BPETokenizer(configuration: TokenizerConfiguration(ggufFile: file))
        let tokens = (0 ..< tokenizer.vocabularySize).map { id in tokenizer.isControl(Int32(id)) ? [] : tokenizer.tokenBytes(Int32(id)) }
        let result = try GrammarMaskBenchmark.run(vocabulary: tokens, endOfGeneration: tokenizer.endOfGenerationTokenIDs.sorted(),
                                                  grammar: try .jsonSchema(text: Self.schema), output: Self.output, stringPrefix: #"{"title": "Mor"#)
        report("default model \(tokenizer.vocabularySize)", result)
        let json = try GrammarMaskBenchmark.run(vocabulary: tokens, endOfGeneration: tokenizer.endOfGenerationTokenIDs.sorted(),
                                                grammar: .jsonObject, output: Self.output, stringPrefix: #"{"title": "Mor"#)
        report("default model \(tokenizer.vocabularySize), format json", json)
        try freeTextCases(tokens, endOfGeneration: tokenizer.endOfGenerationTokenIDs.sorted(), name: "default model \(tokenizer.vocabularySize)")
    }

    static let thought = "<think>\nThe visitor wants a calm scene; blue suits the sea, and a slow fade keeps it gentle. "
        + "Maybe a white sparkle later on, once the music starts.\n</think>\n\n"
    static let toolAnswer = "Let me set that up for you. <tool_call>\n{\"name\": \"set_light\", \"arguments\": {\"color\": \"blue\", \"level\": 40}}\n</tool_call>"

    /// The free parts of an answer (a thought, the text around tool calls) cost a full trie walk
    /// the first time each of their few states is seen, then a cache lookup.
    func freeTextCases(_ tokens: [[UInt8]], endOfGeneration: [TokenID], name: String) throws {
        let thinking = Grammar.afterThinking(try .jsonSchema(text: Self.schema), open: "<think>", close: "</think>", openedByPrompt: false)
        report("\(name), thinking then schema", try GrammarMaskBenchmark.run(vocabulary: tokens, endOfGeneration: endOfGeneration, grammar: thinking,
                                                                          output: Self.thought + Self.output, stringPrefix: "<think>\nThe"))
        let light = #"{"type":"object","properties":{"color":{"enum":["red","green","blue","white"]},"level":{"type":"integer","minimum":0,"maximum":100}},"required":["color","level"]}"#
        let tools = try #require(Grammar.toolCalls([ToolSchema(name: "set_light", parameters: try SchemaValue(parsing: light)),
                                                    ToolSchema(name: "play_sound", parameters: nil)], format: .hermes))
        report("\(name), tool calls", try GrammarMaskBenchmark.run(vocabulary: tokens, endOfGeneration: endOfGeneration, grammar: tools,
                                                                 output: Self.toolAnswer, stringPrefix: "Let me"))
    }
}
