import EngineInterface
import Foundation
@testable import Runtime

/// Helpers shared by the sampling tests: empirical draw frequencies and straightforward
/// double-precision reference implementations of each truncation rule.
enum SamplingReference {
    /// Draws `draws` tokens from fresh copies of `logits` and returns each token's share.
    static func frequencies(
        logits: [Float], options: SamplingOptions, draws: Int, history: [TokenID] = []
    ) -> [Double] {
        var sampler = Sampler(options: options, vocabularySize: logits.count)
        var counts = [Int](repeating: 0, count: logits.count)
        for _ in 0..<draws {
            var copy = logits
            counts[Int(sampler.sample(logits: &copy, history: history))] += 1
        }
        return counts.map { Double($0) / Double(draws) }
    }

    static func softmax(_ logits: [Float], temperature: Double = 1) -> [Double] {
        let maximum = Double(logits.max()!)
        let weights = logits.map { Foundation.exp((Double($0) - maximum) / temperature) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    /// Token ids in rank order (higher logit first, lower id on ties).
    static func ranked(_ logits: [Float]) -> [Int] {
        logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
    }

    static func topP(_ logits: [Float], mass: Double) -> Set<Int> {
        let p = softmax(logits)
        var kept = Set<Int>()
        var cumulative = 0.0
        for id in ranked(logits) {
            kept.insert(id)
            cumulative += p[id]
            if cumulative >= mass { break }
        }
        return kept
    }

    static func minP(_ logits: [Float], ratio: Double) -> Set<Int> {
        let p = softmax(logits)
        let best = p.max()!
        return Set(p.indices.filter { p[$0] >= ratio * best })
    }

    /// Locally typical sampling written from its definition, with entropy and logarithms.
    static func typical(_ logits: [Float], mass: Double) -> Set<Int> {
        let p = softmax(logits)
        let entropy = -p.reduce(0) { $0 + ($1 > 0 ? $1 * Foundation.log($1) : 0) }
        let order = p.indices.sorted { abs(-Foundation.log(p[$0]) - entropy) < abs(-Foundation.log(p[$1]) - entropy) }
        var kept = Set<Int>()
        var cumulative = 0.0
        for id in order {
            kept.insert(id)
            cumulative += p[id]
            if cumulative > mass { break }
        }
        return kept
    }

    /// Reproducible pseudo-logits: roughly normal (sum of uniforms) with spread `scale`.
    static func randomLogits(count: Int, seed: UInt64, scale: Float = 3) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            var sum = 0.0
            for _ in 0..<4 { sum += generator.nextUnitInterval() }
            return Float(sum - 2) * scale
        }
    }
}
