import GGUF
import Testing
@testable import CPUEngine

/// Random weight rows in a GGUF encoding: realistic scales, every quant value possible.
private func randomRows(_ type: GGMLType, rows: Int, columns: Int, using random: inout SeededRandom) -> [UInt8] {
    func half(_ value: Float) -> [UInt8] {
        let bits = Float16(value).bitPattern
        return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
    }
    var bytes: [UInt8] = []
    for _ in 0..<rows {
        switch type {
        case .f32:
            for v in random.floats(columns) { withUnsafeBytes(of: v) { bytes += $0 } }
        case .f16:
            for v in random.floats(columns) { bytes += half(v) }
        case .bf16:
            for v in random.floats(columns) {
                let bits = UInt16(v.bitPattern >> 16)
                bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8)]
            }
        case .q8_0:
            for _ in 0..<columns / 32 {
                bytes += half(Float.random(in: 0.001...0.02, using: &random))
                bytes += (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
        case .q4_0, .q4_1:
            for _ in 0..<columns / 32 {
                bytes += half(Float.random(in: 0.001...0.05, using: &random))
                if type == .q4_1 { bytes += half(Float.random(in: -0.2...0.2, using: &random)) }
                bytes += (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
        default:
            fatalError("no generator for \(type.name)")
        }
    }
    return bytes
}

/// The scalar reference: dequantize the weight row and the (possibly quantized) activations,
/// multiply in Double.
private func referenceProduct(_ weight: WeightMatrix, row: Int, input: MatmulInput, token: Int) -> (value: Double, magnitude: Double) {
    let k = weight.columns
    var w = [Float](repeating: 0, count: k)
    w.withUnsafeMutableBufferPointer { weight.dequantizeRow(row, into: $0.baseAddress!) }
    var sum = 0.0, magnitude = 0.0
    for i in 0..<k {
        let a: Float = weight.isQuantized
            ? Float(input.quants[token * k + i]) * input.scales[(token * k + i) / 32]
            : input.values[token * k + i]
        sum += Double(w[i]) * Double(a)
        magnitude += abs(Double(w[i]) * Double(a))
    }
    return (sum, magnitude)
}

@Suite struct MatrixKernelTests {
    static let types: [GGMLType] = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1]

    @Test(arguments: types, [1, 3, 4, 9])
    func kernelMatchesScalarReference(type: GGMLType, tokens: Int) {
        var random = SeededRandom(seed: UInt64(type.rawValue) * 1000 + UInt64(tokens))
        let rows = 13, columns = 96
        let bytes = randomRows(type, rows: rows, columns: columns, using: &random)
        let activations = random.floats(tokens * columns, in: -3...3)
        let input = MatmulInput(capacity: tokens * columns)
        var out = [Float](repeating: .nan, count: tokens * rows)
        bytes.withUnsafeBytes { raw in
            let weight = WeightMatrix(name: "w", type: type, rows: rows, columns: columns, base: raw.baseAddress!)
            activations.withUnsafeBufferPointer { x in
                input.set(x.baseAddress!, tokens: tokens, columns: columns)
                if weight.isQuantized { input.quantize() }
                out.withUnsafeMutableBufferPointer { o in
                    // two calls over split row ranges, as two workers would make them
                    multiplyRows(weight, input, rows: 0..<5, into: o.baseAddress!, outStride: rows)
                    multiplyRows(weight, input, rows: 5..<rows, into: o.baseAddress!, outStride: rows)
                }
                for t in 0..<tokens {
                    for r in 0..<rows {
                        let reference = referenceProduct(weight, row: r, input: input, token: t)
                        let error = abs(Double(out[t * rows + r]) - reference.value)
                        #expect(error <= 1e-5 * reference.magnitude + 1e-6,
                                "\(type.name) row \(r) token \(t): \(out[t * rows + r]) vs \(reference.value)")
                    }
                }
            }
        }
    }

    @Test func activationQuantizationErrorIsWithinHalfAStep() {
        var random = SeededRandom(seed: 7)
        let x = random.floats(256, in: -5...5)
        let input = MatmulInput(capacity: 256)
        x.withUnsafeBufferPointer { input.set($0.baseAddress!, tokens: 1, columns: 256) }
        input.quantize()
        for i in 0..<256 {
            let d = input.scales[i / 32]
            #expect(abs(Float(input.quants[i]) * d - x[i]) <= d / 2 * 1.0001)
        }
        for b in 0..<8 {
            let sum = (0..<32).reduce(0) { $0 + Int(input.quants[b * 32 + $1]) }
            #expect(abs(input.scaledSums[b] - input.scales[b] * Float(sum)) <= 1e-4)
        }
    }

    @Test func allZeroActivationsGiveZeroProducts() {
        var random = SeededRandom(seed: 3)
        let bytes = randomRows(.q4_1, rows: 4, columns: 64, using: &random)
        let zeros = [Float](repeating: 0, count: 64)
        let input = MatmulInput(capacity: 64)
        var out = [Float](repeating: .nan, count: 4)
        bytes.withUnsafeBytes { raw in
            let weight = WeightMatrix(name: "w", type: .q4_1, rows: 4, columns: 64, base: raw.baseAddress!)
            zeros.withUnsafeBufferPointer { input.set($0.baseAddress!, tokens: 1, columns: 64) }
            input.quantize()
            out.withUnsafeMutableBufferPointer { multiplyRows(weight, input, rows: 0..<4, into: $0.baseAddress!, outStride: 4) }
        }
        #expect(out == [0, 0, 0, 0])
    }
}
