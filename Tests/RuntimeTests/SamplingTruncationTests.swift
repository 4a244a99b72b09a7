import EngineInterface
import Foundation
import Testing
@testable import Runtime

/// Each truncation option, checked two ways: the kept set against a reference written from the
/// definition, and the shape of the empirical distribution of many draws.
@Suite struct SamplingTruncationTests {
    /// Probabilities 0.5, 0.3, 0.15, 0.05.
    let fourTokens: [Float] = [0.5, 0.3, 0.15, 0.05].map { Float(Foundation.log($0)) }

    private func keptSet(_ logits: [Float], _ narrow: (inout CandidatePool) -> Void) -> Set<Int> {
        let scratch = SamplerScratch(capacity: logits.count, needsTypicalOrder: true)
        return logits.withUnsafeBufferPointer { vocabulary in
            var pool = CandidatePool(vocabulary: vocabulary, scratch: scratch)
            narrow(&pool)
            return Set(pool.listed.map { Int($0.id) })
        }
    }

    // MARK: top_k

    @Test func topKTwoOnlyEverDrawsTheTwoBest() {
        let logits: [Float] = [1.0, 3.0, 0.5, 2.5, -1.0, 2.0]
        let options = SamplingOptions(temperature: 1, topK: 2, topP: 1, seed: 1)
        let shares = SamplingReference.frequencies(logits: logits, options: options, draws: 20_000)
        for id in [0, 2, 4, 5] {
            #expect(shares[id] == 0)
        }
        // Renormalised over the two kept tokens: e^3 / (e^3 + e^2.5) ≈ 0.622.
        let expected = 1 / (1 + Foundation.exp(-0.5))
        #expect(abs(shares[1] - expected) < 0.015)
        #expect(abs(shares[3] - (1 - expected)) < 0.015)
    }

    @Test func topKSelectionMatchesSortingOnLargeVocabulary() {
        let logits = SamplingReference.randomLogits(count: 151_936, seed: 5)
        let best = SamplingReference.ranked(logits)
        for k in [1, 40, 1000] {
            let scratch = SamplerScratch(capacity: logits.count, needsTypicalOrder: false)
            let selected = logits.withUnsafeBufferPointer { vocabulary in
                var pool = CandidatePool(vocabulary: vocabulary, scratch: scratch)
                pool.keepTopK(k)
                return pool.listed.map { Int($0.id) }
            }
            #expect(selected == Array(best.prefix(k)), "top \(k) in rank order")
        }
    }

    @Test func topKTiesGoToTheLowerTokenId() {
        let logits: [Float] = [1, 2, 2, 2, 0, 2]
        #expect(keptSet(logits) { $0.keepTopK(2) } == [1, 2])
    }

    @Test func topKZeroOrNegativeKeepsTheWholeVocabulary() {
        let logits: [Float] = [0, 0.5, 1, 1.5]
        for k in [0, -1] {
            let options = SamplingOptions(temperature: 1, topK: k, topP: 1, seed: 3)
            let shares = SamplingReference.frequencies(logits: logits, options: options, draws: 40_000)
            let expected = SamplingReference.softmax(logits)
            for id in logits.indices {
                #expect(abs(shares[id] - expected[id]) < 0.01, "token \(id) with top_k \(k)")
            }
        }
    }

    // MARK: top_p

    @Test func topPKeepsTheSmallestSetReachingTheMass() {
        #expect(keptSet(fourTokens) { $0.keepTopP(mass: 0.45) } == [0])
        #expect(keptSet(fourTokens) { $0.keepTopP(mass: 0.75) } == [0, 1])
        #expect(keptSet(fourTokens) { $0.keepTopP(mass: 0.85) } == [0, 1, 2])
        #expect(keptSet(fourTokens) { $0.keepTopP(mass: 0.99) } == [0, 1, 2, 3])
    }

    @Test func topPDrawsFollowTheRenormalisedNucleus() {
        let options = SamplingOptions(temperature: 1, topK: 0, topP: 0.75, seed: 11)
        let shares = SamplingReference.frequencies(logits: fourTokens, options: options, draws: 40_000)
        #expect(shares[2] == 0 && shares[3] == 0)
        #expect(abs(shares[0] - 0.5 / 0.8) < 0.01)
    }

    @Test func topPOfWholeVocabularyMatchesReference() {
        // Flat logits make the nucleus thousands of tokens, forcing the selection to grow.
        for (seed, scale, mass) in [(UInt64(1), Float(0.5), 0.5), (2, 3, 0.9), (3, 8, 0.95), (4, 1, 0.999)] {
            let logits = SamplingReference.randomLogits(count: 20_000, seed: seed, scale: scale)
            let kept = keptSet(logits) { $0.keepTopP(mass: Float(mass)) }
            let expected = SamplingReference.topP(logits, mass: mass)
            // Float and double sums may disagree on the very last token at the boundary.
            #expect(abs(kept.count - expected.count) <= 1, "scale \(scale), p \(mass)")
            #expect(kept.isSubset(of: expected) || expected.isSubset(of: kept))
        }
    }

    @Test func topPAfterTopKMeasuresMassAmongTheTopK() {
        let logits = SamplingReference.randomLogits(count: 5_000, seed: 8)
        let kept = keptSet(logits) { pool in
            pool.keepTopK(50)
            pool.keepTopP(mass: 0.5)
        }
        let top50 = Array(SamplingReference.ranked(logits).prefix(50))
        let expected = SamplingReference.topP(top50.map { logits[$0] }, mass: 0.5)
        #expect(kept == Set(expected.map { top50[$0] }))
    }

    // MARK: min_p

    @Test func minPDropsTokensBelowTheRatioOfTheBest() {
        // Ratios to the best: 1, 0.6, 0.3, 0.1.
        #expect(keptSet(fourTokens) { $0.keepMinP(ratio: 0.25) } == [0, 1, 2])
        #expect(keptSet(fourTokens) { $0.keepMinP(ratio: 0.65) } == [0])
        #expect(keptSet(fourTokens) { pool in
            pool.keepTopK(4)
            pool.keepMinP(ratio: 0.5)
        } == [0, 1])
    }

    @Test func minPOfWholeVocabularyMatchesReference() {
        let logits = SamplingReference.randomLogits(count: 30_000, seed: 21)
        for ratio in [0.001, 0.05, 0.3] {
            let kept = keptSet(logits) { $0.keepMinP(ratio: Float(ratio)) }
            #expect(kept == SamplingReference.minP(logits, ratio: ratio), "min_p \(ratio)")
        }
    }

    @Test func minPDrawsNeverPickDroppedTokens() {
        let options = SamplingOptions(temperature: 1, topK: 0, topP: 1, minP: 0.25, seed: 4)
        let shares = SamplingReference.frequencies(logits: fourTokens, options: options, draws: 20_000)
        #expect(shares[3] == 0)
        #expect(abs(shares[0] - 0.5 / 0.95) < 0.015)
    }

    // MARK: typical_p

    @Test func typicalPCanExcludeTheMostLikelyToken() {
        // Probabilities 0.4, 0.2, 0.2, 0.2: entropy 1.33 nats; the 0.2 tokens (surprise 1.61) are
        // closer to it than the 0.4 token (0.92), so with mass 0.5 only they survive.
        let logits: [Float] = [0.4, 0.2, 0.2, 0.2].map { Float(Foundation.log($0)) }
        #expect(keptSet(logits) { $0.keepLocallyTypical(mass: 0.5) } == [1, 2, 3])
        let options = SamplingOptions(temperature: 1, topK: 0, topP: 1, typicalP: 0.5, seed: 6)
        let shares = SamplingReference.frequencies(logits: logits, options: options, draws: 30_000)
        #expect(shares[0] == 0)
        for id in 1...3 {
            #expect(abs(shares[id] - 1.0 / 3) < 0.015)
        }
    }

    @Test func typicalPMatchesReferenceDefinition() {
        for seed in UInt64(30)..<UInt64(34) {
            let logits = SamplingReference.randomLogits(count: 2_000, seed: seed, scale: 2)
            for mass in [0.2, 0.7, 0.95] {
                let kept = keptSet(logits) { $0.keepLocallyTypical(mass: Float(mass)) }
                let expected = SamplingReference.typical(logits, mass: mass)
                #expect(abs(kept.count - expected.count) <= 1, "seed \(seed), p \(mass)")
                #expect(kept.isSubset(of: expected) || expected.isSubset(of: kept))
            }
        }
    }

    // MARK: temperature and greedy

    /// top_k 0 draws straight from the vocabulary; top_k 5 draws from a listed set (the sixth
    /// token's probability is below 1e-9 either way). Both paths must apply the temperature.
    @Test(arguments: [0.5, 1.0, 2.0], [0, 5])
    func temperatureShapesDrawsLikeSoftmaxOfScaledLogits(temperature: Double, topK: Int) {
        let logits: [Float] = [2.0, 1.0, 0.5, 0.0, -1.0, -40]
        let options = SamplingOptions(temperature: Float(temperature), topK: topK, topP: 1, seed: 17)
        let shares = SamplingReference.frequencies(logits: logits, options: options, draws: 60_000)
        let expected = SamplingReference.softmax(logits, temperature: temperature)
        for id in logits.indices {
            #expect(abs(shares[id] - expected[id]) < 0.01, "token \(id) at T=\(temperature), top_k \(topK)")
        }
    }

    @Test func lowTemperatureSharpensAndHighTemperatureFlattens() {
        let logits: [Float] = [1.0, 0.0, -1.0]
        func bestShare(_ t: Float) -> Double {
            SamplingReference.frequencies(
                logits: logits, options: SamplingOptions(temperature: t, topK: 0, topP: 1, seed: 2), draws: 20_000)[0]
        }
        let cold = bestShare(0.3), neutral = bestShare(1), hot = bestShare(3)
        #expect(cold > neutral && neutral > hot)
        #expect(cold > 0.95)
        #expect(hot < 0.5)
    }

    @Test(arguments: [Float(0), -1])
    func temperatureZeroOrBelowIsGreedy(temperature: Float) {
        let logits = SamplingReference.randomLogits(count: 49_152, seed: 77)
        let best = SamplingReference.ranked(logits)[0]
        for seed in 0..<5 {
            var sampler = Sampler(options: SamplingOptions(temperature: temperature, seed: seed), vocabularySize: logits.count)
            var copy = logits
            #expect(sampler.sample(logits: &copy) == TokenID(best))
        }
    }

    @Test func greedyBreaksTiesTowardTheLowerIdAndIgnoresNaN() {
        var sampler = Sampler(options: SamplingOptions(temperature: 0), vocabularySize: 5)
        var logits: [Float] = [.nan, 1, 3, 3, -.infinity]
        #expect(sampler.sample(logits: &logits) == 2)
    }

    @Test func degenerateLogitsStillGiveAToken() {
        var sampler = Sampler(options: SamplingOptions(seed: 1), vocabularySize: 4)
        var allMasked: [Float] = [-.infinity, -.infinity, -.infinity, -.infinity]
        #expect((0..<4).contains(sampler.sample(logits: &allMasked)))
        var oneLeft: [Float] = [-.infinity, .nan, 0.5, -.infinity]
        #expect(sampler.sample(logits: &oneLeft) == 2)
    }
}
