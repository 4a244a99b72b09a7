import EngineInterface
import Testing
@testable import Runtime

@Suite struct SamplingDeterminismTests {
    private func sequence(seed: Int, options: SamplingOptions = SamplingOptions(), length: Int = 64) -> [TokenID] {
        var options = options
        options.seed = seed
        let logits = SamplingReference.randomLogits(count: 49_152, seed: 2024, scale: 2)
        var sampler = Sampler(options: options, vocabularySize: logits.count)
        var history = RecentTokens(for: options, contextLength: 2048)
        var tokens: [TokenID] = []
        for step in 0..<length {
            // Vary the logits per step the way a model would, reproducibly.
            var copy = logits
            copy[step % copy.count] += 5
            let token = sampler.sample(logits: &copy, history: history)
            history.append(token)
            tokens.append(token)
        }
        return tokens
    }

    @Test func sameSeedGivesSameTokens() {
        let options = SamplingOptions(topK: 0, topP: 0.95, minP: 0.01, repeatPenalty: 1.1)
        #expect(sequence(seed: 42) == sequence(seed: 42))
        #expect(sequence(seed: 42, options: options) == sequence(seed: 42, options: options))
    }

    @Test func differentSeedsGiveDifferentTokens() {
        #expect(sequence(seed: 1) != sequence(seed: 2))
    }

    @Test func randomSeedIsReportedAndReproducesTheRun() {
        let logits = SamplingReference.randomLogits(count: 1000, seed: 9, scale: 1)
        var random = Sampler(options: SamplingOptions(seed: -1), vocabularySize: logits.count)
        var replay = Sampler(options: SamplingOptions(seed: Int(Int64(bitPattern: random.seed))), vocabularySize: logits.count)
        for _ in 0..<32 {
            var a = logits, b = logits
            #expect(random.sample(logits: &a) == replay.sample(logits: &b))
        }
    }

    /// The draw depends only on integer arithmetic and IEEE operations with one rounding each
    /// (no libm), so these tokens are the same on every machine. If this fails after a change to
    /// the sampler, seeded outputs that users may have recorded have changed.
    @Test func seededTokensAreStableAcrossMachines() {
        #expect(Array(sequence(seed: 7, length: 12)) == Self.recordedSeed7)
    }

    static let recordedSeed7: [TokenID] = [5007, 41504, 32154, 26477, 22587, 12567, 21100, 7, 26891, 9, 8366, 26704]

    @Test func copiesOfASamplerDrawIndependently() {
        let logits = SamplingReference.randomLogits(count: 500, seed: 3, scale: 1)
        var original = Sampler(options: SamplingOptions(seed: 5), vocabularySize: logits.count)
        var warm = logits
        _ = original.sample(logits: &warm)
        var copy = original
        for _ in 0..<16 {
            var a = logits, b = logits
            #expect(original.sample(logits: &a) == copy.sample(logits: &b))
        }
    }
}
