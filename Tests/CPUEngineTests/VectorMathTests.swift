import CCPUKernels
import Foundation
import Testing
@testable import CPUEngine

@Suite struct VectorMathTests {
    @Test func fastExponentialMatchesLibm() {
        var worst: Float = 0
        for i in 0...2000 {
            let x = Float(i) / 2000 * 170 - 85
            let relative = abs(axl_exp(x) - expf(x)) / expf(x)
            worst = max(worst, relative)
        }
        #expect(worst < 2e-6)
    }

    @Test func softmaxSumsToOneAndKeepsOrder() {
        var random = SeededRandom(seed: 11)
        var x = random.floats(100, in: -20...20)
        let original = x
        axl_softmax(&x, 100)
        #expect(abs(x.reduce(0, +) - 1) < 1e-5)
        let maxOriginal = original.reduce(-Float.infinity) { max($0, $1) }
        let reference = original.map { expf($0 - maxOriginal) }
        let total = reference.reduce(0, +)
        for i in 0..<100 { #expect(abs(x[i] - reference[i] / total) < 1e-6) }
    }

    @Test func siluMultipliesByTheUpProjection() {
        var gate: [Float] = [-10, -1, 0, 0.5, 3, 30]
        let up: [Float] = [1, 2, 3, 4, 5, 6]
        let expected = zip(gate, up).map { g, u in g / (1 + expf(-g)) * u }
        axl_silu_mul(&gate, up, 6)
        for i in 0..<6 { #expect(abs(gate[i] - expected[i]) <= 1e-5 * max(1, abs(expected[i]))) }
    }

    @Test func rmsNormScalesToUnitRootMeanSquare() {
        let x: [Float] = [3, -4, 0, 5]
        let weight: [Float] = [1, 1, 2, 1]
        var out = [Float](repeating: 0, count: 4)
        rmsNorm(x, weight: weight, epsilon: 0, into: &out, count: 4)
        let rms = Float((50.0 / 4.0).squareRoot())
        #expect(zip(out, [3 / rms, -4 / rms, 0, 5 / rms]).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func ropeRotatesAdjacentPairsByPositionTimesFrequency() {
        // head of 4: pair (0,1) turns by pos·1, pair (2,3) by pos·base^(-1/2)
        let rope = RotaryEmbedding(headDimension: 4, rotatedDimensions: 4, base: 100)
        var x: [Float] = [1, 0, 0, 1]
        var table = [Float](repeating: 0, count: 4)
        rope.fillTable(position: 3, into: &table)
        rope.rotate(&x, heads: 1, table: table)
        let slow = 3 * Float(0.1)
        let expected: [Float] = [cos(3), sin(3), -sin(slow), cos(slow)]
        #expect(zip(x, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(x) vs \(expected)")
    }

    @Test func ropeAtPositionZeroIsIdentity() {
        let rope = RotaryEmbedding(headDimension: 8, rotatedDimensions: 8, base: 10000)
        var x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        var table = [Float](repeating: 0, count: 8)
        rope.fillTable(position: 0, into: &table)
        rope.rotate(&x, heads: 1, table: table)
        #expect(x == [1, 2, 3, 4, 5, 6, 7, 8])
    }
}
