import CCPUKernels
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
        case .q5_0, .q5_1:
            for _ in 0..<columns / 32 {
                bytes += half(Float.random(in: 0.001...0.03, using: &random))
                if type == .q5_1 { bytes += half(Float.random(in: -0.2...0.2, using: &random)) }
                bytes += (0..<20).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
        case .q4_K, .q5_K:
            for _ in 0..<columns / 256 {
                bytes += half(Float.random(in: 0.0001...0.001, using: &random))
                bytes += half(Float.random(in: 0.0005...0.008, using: &random))
                bytes += (0..<(type == .q4_K ? 140 : 172)).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
        case .q6_K:
            for _ in 0..<columns / 256 {
                bytes += (0..<208).map { _ in UInt8.random(in: 0...255, using: &random) }
                bytes += half(Float.random(in: 0.00001...0.0002, using: &random))
            }
        default:
            fatalError("no generator for \(type.name)")
        }
    }
    return bytes
}

@Suite struct MatrixKernelTests {
    static let types: [GGMLType] = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q4_K, .q5_K, .q6_K]

    @Test(arguments: types, [1, 3, 4, 9])
    func kernelMatchesScalarReference(type: GGMLType, tokens: Int) {
        var random = SeededRandom(seed: UInt64(type.rawValue) * 1000 + UInt64(tokens))
        let rows = 13, columns = type.blockSize == 256 ? 512 : 96
        let bytes = randomRows(type, rows: rows, columns: columns, using: &random)
        let activations = random.floats(tokens * columns, in: -3...3)
        let input = MatmulInput(capacity: tokens * columns)
        var out = [Float](repeating: .nan, count: tokens * rows)
        bytes.withUnsafeBytes { raw in
            let weight = WeightMatrix(name: "w", type: type, rows: rows, columns: columns, base: raw.baseAddress!)
            activations.withUnsafeBufferPointer { x in
                input.set(x.baseAddress!, tokens: tokens, columns: columns)
                prepare(input, for: weight)
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

    /// This build's kernel path against the portable scalar one, for every format: the same
    /// integer sums, so only float rounding may differ (tokens cover a tile of four and a rest).
    @Test(arguments: types, [1, 6])
    func selectedKernelMatchesScalarPath(type: GGMLType, tokens: Int) {
        var random = SeededRandom(seed: 77 + UInt64(type.rawValue) * 10 + UInt64(tokens))
        let rows = 9, columns = 768
        let bytes = randomRows(type, rows: rows, columns: columns, using: &random)
        let activations = random.floats(tokens * columns, in: -4...4)
        let input = MatmulInput(capacity: tokens * columns)
        var selected = [Float](repeating: .nan, count: tokens * rows), scalar = selected
        bytes.withUnsafeBytes { raw in
            let weight = WeightMatrix(name: "w", type: type, rows: rows, columns: columns, base: raw.baseAddress!)
            activations.withUnsafeBufferPointer { input.set($0.baseAddress!, tokens: tokens, columns: columns) }
            prepare(input, for: weight)
            selected.withUnsafeMutableBufferPointer {
                multiplyRows(weight, input, rows: 0..<rows, into: $0.baseAddress!, outStride: rows)
            }
            scalar.withUnsafeMutableBufferPointer {
                multiplyRowsOnScalarPath(weight, input, rows: 0..<rows, into: $0.baseAddress!, outStride: rows)
            }
        }
        for i in 0..<selected.count {
            #expect(abs(selected[i] - scalar[i]) <= 1e-5 * max(1, abs(scalar[i])),
                    "\(type.name) [\(i)] on \(CPUEngine.kernelPath): \(selected[i]) vs \(scalar[i])")
        }
    }

    @Test func superBlockQuantizationKeepsSixteenSumsAndHalfAStep() {
        var random = SeededRandom(seed: 11)
        let x = random.floats(512, in: -6...6)
        let input = MatmulInput(capacity: 512)
        x.withUnsafeBufferPointer { input.set($0.baseAddress!, tokens: 1, columns: 512) }
        input.quantizeSuperBlocks()
        for i in 0..<512 {
            let d = input.superBlockScales[i / 256]
            #expect(abs(Float(input.superBlockQuants[i]) * d - x[i]) <= d / 2 * 1.0001)
        }
        for group in 0..<32 {
            let sum = (0..<16).reduce(0) { $0 + Int(input.superBlockQuants[group * 16 + $1]) }
            #expect(Int(input.sixteenSums[group]) == sum)
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
