import EngineInterface
import Testing
@testable import Runtime

@Suite struct SamplingPenaltyTests {
    private func penalised(
        _ logits: [Float], history: [TokenID], options: SamplingOptions, contextLength: Int? = nil
    ) -> [Float] {
        var logits = logits
        let occurrences = UnsafeMutableBufferPointer<Int32>.allocate(capacity: logits.count)
        occurrences.initialize(repeating: 0)
        defer { occurrences.deallocate() }
        logits.withUnsafeMutableBufferPointer {
            RepetitionPenalty(options: options, contextLength: contextLength)
                .apply(to: $0, history: history, occurrences: occurrences)
        }
        #expect(occurrences.allSatisfy { $0 == 0 }, "counters are left zeroed for the next call")
        return logits
    }

    @Test func repeatPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        let result = penalised([2, -2, 0, 4], history: [0, 1, 2], options: SamplingOptions(repeatPenalty: 2))
        #expect(result == [1, -4, 0, 4])
    }

    @Test func repeatPenaltyAppliesOnceHoweverOftenATokenRepeats() {
        let result = penalised([3, 3], history: [0, 0, 0, 1], options: SamplingOptions(repeatPenalty: 1.5))
        #expect(result == [2, 2])
    }

    @Test func presencePenaltySubtractsOncePerSeenToken() {
        let result = penalised([1, 1, 1], history: [0, 0, 0, 2], options: SamplingOptions(presencePenalty: 0.5))
        #expect(result == [0.5, 1, 0.5])
    }

    @Test func frequencyPenaltySubtractsPerOccurrence() {
        let result = penalised([1, 1, 1], history: [0, 0, 0, 2], options: SamplingOptions(frequencyPenalty: 0.25))
        #expect(result == [0.25, 1, 0.75])
    }

    @Test func penaltiesCombineInLlamaCppOrder() {
        // (4 / 2) - (3 * 0.5 + 1) = -0.5
        let options = SamplingOptions(repeatPenalty: 2, presencePenalty: 1, frequencyPenalty: 0.5)
        #expect(penalised([4], history: [0, 0, 0], options: options) == [-0.5])
    }

    @Test func onlyTheLastRepeatLastNTokensCount() {
        let options = SamplingOptions(repeatLastN: 2, repeatPenalty: 2)
        #expect(penalised([2, 2, 2, 2], history: [0, 1, 2, 3], options: options) == [2, 2, 1, 1])
    }

    @Test func repeatLastNZeroDisablesPenalties() {
        let options = SamplingOptions(repeatLastN: 0, repeatPenalty: 2, presencePenalty: 1, frequencyPenalty: 1)
        #expect(penalised([2, 2], history: [0, 1], options: options) == [2, 2])
    }

    @Test func repeatLastNMinusOneMeansTheWholeContext() {
        let options = SamplingOptions(repeatLastN: -1, repeatPenalty: 2)
        let history: [TokenID] = [0, 1, 2, 3]
        #expect(penalised([2, 2, 2, 2], history: history, options: options, contextLength: 3) == [2, 1, 1, 1])
        #expect(penalised([2, 2, 2, 2], history: history, options: options) == [1, 1, 1, 1])
    }

    @Test func tokensOutsideTheVocabularyAreIgnored() {
        let options = SamplingOptions(repeatPenalty: 2)
        #expect(penalised([2, 2], history: [-1, 7, 1], options: options) == [2, 1])
    }

    @Test func penaltyChangesTheGreedyChoice() {
        var sampler = Sampler(options: SamplingOptions(temperature: 0, repeatPenalty: 1.5), vocabularySize: 3)
        var logits: [Float] = [3, 2.5, 1]
        #expect(sampler.sample(logits: &logits, history: [TokenID(0)]) == 1)
    }

    @Test func recentTokensKeepsTheNewestInOrder() {
        var recent = RecentTokens(capacity: 3)
        recent.append(contentsOf: [1, 2])
        #expect(Array(recent) == [1, 2])
        recent.append(contentsOf: [3, 4, 5])
        #expect(Array(recent) == [3, 4, 5])
        recent.append(6)
        #expect(Array(recent) == [4, 5, 6])
        recent.removeAll()
        #expect(recent.isEmpty)
    }

    @Test func recentTokensSizedFromOptions() {
        #expect(RecentTokens(for: SamplingOptions(), contextLength: 4096).capacity == 64)
        #expect(RecentTokens(for: SamplingOptions(repeatLastN: -1), contextLength: 4096).capacity == 4096)
        var none = RecentTokens(for: SamplingOptions(repeatLastN: 0), contextLength: 4096)
        none.append(1)
        #expect(none.isEmpty)
    }

    @Test func samplerReadsARecentTokensHistory() {
        var history = RecentTokens(capacity: 2)
        history.append(contentsOf: [0, 1, 2])
        var sampler = Sampler(options: SamplingOptions(temperature: 0, repeatPenalty: 10), vocabularySize: 3)
        var logits: [Float] = [3, 2.9, 2.8]
        // Token 0 left the window, tokens 1 and 2 are penalised.
        #expect(sampler.sample(logits: &logits, history: history) == 0)
    }
}
