import Testing
@testable import Runtime

@Suite struct SamplingWeightedDrawTests {
    /// Draws at evenly spaced unit values and counts the picks: each index must get its exact
    /// share (to within one of the grid), whichever 256-entry block it sits in.
    private func gridCounts(_ weights: [Float], steps: Int = 10_000) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        weights.withUnsafeBufferPointer { buffer in
            for step in 0..<steps {
                let unit = (Double(step) + 0.5) / Double(steps)
                if let index = WeightedDraw.pick(buffer, unit: unit) {
                    counts[index, default: 0] += 1
                }
            }
        }
        return counts
    }

    @Test func picksInProportionToWeightAcrossBlocks() {
        var weights = [Float](repeating: 0, count: 1_000)
        weights[3] = 1
        weights[300] = 2
        weights[511] = 0.5
        weights[999] = 0.5
        let counts = gridCounts(weights)
        #expect(Set(counts.keys) == [3, 300, 511, 999])
        #expect(abs(counts[3, default: 0] - 2_500) <= 1)
        #expect(abs(counts[300, default: 0] - 5_000) <= 1)
        #expect(abs(counts[511, default: 0] - 1_250) <= 1)
        #expect(abs(counts[999, default: 0] - 1_250) <= 1)
    }

    @Test func zeroWeightsAreNeverPicked() {
        let weights: [Float] = [0, 1, 0, 0, 3, 0]
        let counts = gridCounts(weights, steps: 1_000)
        #expect(Set(counts.keys) == [1, 4])
        #expect(weights.withUnsafeBufferPointer { WeightedDraw.pick($0, unit: 0.999_999_9) } == 4)
        #expect(weights.withUnsafeBufferPointer { WeightedDraw.pick($0, unit: 0) } == 1)
    }

    @Test func noPositiveWeightPicksNothing() {
        let zeros = [Float](repeating: 0, count: 300)
        #expect(zeros.withUnsafeBufferPointer { WeightedDraw.pick($0, unit: 0.5) } == nil)
        let overflow: [Float] = [.greatestFiniteMagnitude, .infinity]
        #expect(overflow.withUnsafeBufferPointer { WeightedDraw.pick($0, unit: 0.5) } == nil)
    }
}
