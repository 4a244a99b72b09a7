import Testing
@testable import Runtime

extension Tag {
    @Tag static var benchmark: Self
}

/// Prints sample() timings for Qwen's vocabulary; bounds are loose (a shared machine), but an
/// accidental full-vocabulary sort on the default path would exceed them.
@Suite(.serialized, .tags(.benchmark)) struct SamplingBenchmarkTests {
    @Test func defaultOptionsSampleQuicklyOverQwenVocabulary() {
        let result = SamplerBenchmark.run(vocabularySize: 151_936, options: SamplingOptions(seed: 0), iterations: 200)
        print("default options: \(result)")
        #expect(result.median < .milliseconds(1))
    }

    @Test(arguments: [
        ("greedy", SamplingOptions(temperature: 0)),
        ("penalties", SamplingOptions(repeatPenalty: 1.1, presencePenalty: 0.5, frequencyPenalty: 0.5, seed: 0)),
        ("top_k 0, top_p 0.9", SamplingOptions(topK: 0, seed: 0)),
        ("top_k 0, top_p 1, min_p 0.05", SamplingOptions(topK: 0, topP: 1, minP: 0.05, seed: 0)),
        ("top_k 0, top_p 1 (whole vocabulary)", SamplingOptions(topK: 0, topP: 1, seed: 0)),
        ("typical_p 0.9", SamplingOptions(typicalP: 0.9, seed: 0)),
    ])
    func otherOptionSetsStayBelowADecodeStep(name: String, options: SamplingOptions) {
        let result = SamplerBenchmark.run(vocabularySize: 151_936, options: options, iterations: 50)
        print("\(name): \(result)")
        #expect(result.median < .milliseconds(5))
    }
}
