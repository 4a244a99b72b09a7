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
    }
}
