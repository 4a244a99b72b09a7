import EngineInterface
import Foundation
import Testing
@testable import CPUEngine

/// A token's K/V rows and logits must be bit-identical whether it is evaluated alone or inside a
/// batch: prefix reuse (a second request re-evaluating only its prompt's last token) must never
/// change the output, and the NPU simulator's card-precision reference assumes it too.
@Suite(.serialized, .enabled(if: EngineGoldens.isUsable, "needs the default model (AXLLAMA_TEST_MODEL or the model store)"))
struct BatchIdentityTests {

    /// 21 tokens: more than a kernel tile of 4, with a remainder, and more than one batch of 16.
    static let prompt: [TokenID] = [1, 504, 3458, 282, 4649, 314, 1342, 28, 253, 1500, 30, 378, 1789, 314, 216, 33, 34,
                                    35, 2910, 29, 2]

    private func keysValuesAndLogits(_ engine: CPUEngine, chunks: [Int]) throws -> (keys: [Float], values: [Float], logits: [Float]) {
        engine.truncate(to: 0)
        var position = 0
        var logits: [Float] = []
        for size in chunks {
            logits = try engine.evaluate(Array(Self.prompt[position..<position + size]), at: position).values
            position += size
        }
        let cached = engine.cachedKeysAndValues()
        return (cached.keys, cached.values, logits)
    }

    private func expectBitIdentical(_ a: [Float], _ b: [Float], _ what: String) {
        #expect(a.count == b.count)
        let differing = zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(what): \(differing) of \(a.count) values differ")
    }

    @Test func aPromptEvaluatedAsOneBatchAndTokenByTokenGivesIdenticalLogitsAndKeyValueRows() throws {
        let engine = try CPUEngine(file: EngineGoldens.modelFile!, contextLength: 64, threads: 2, batchSize: 16)
        let batch = try keysValuesAndLogits(engine, chunks: [Self.prompt.count])
        let single = try keysValuesAndLogits(engine, chunks: Array(repeating: 1, count: Self.prompt.count))
        // the server's prefix reuse: all but the last token cached, the last one evaluated again
        let reused = try keysValuesAndLogits(engine, chunks: [Self.prompt.count - 1, 1])
        expectBitIdentical(batch.keys, single.keys, "keys, batch against token by token")
        expectBitIdentical(batch.values, single.values, "values, batch against token by token")
        expectBitIdentical(batch.logits, single.logits, "logits, batch against token by token")
        expectBitIdentical(batch.keys, reused.keys, "keys, batch against prefix then last token")
        expectBitIdentical(batch.logits, reused.logits, "logits, batch against prefix then last token")
    }
}
