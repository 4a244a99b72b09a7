import CCPUKernels
import GGUF
@testable import CPUEngine

/// Puts the input in the activation form the weight's kernel reads (as `multiply` does).
func prepare(_ input: MatmulInput, for weight: WeightMatrix) {
    switch weight.activationFormat {
    case .float: break
    case .blocksOf32: input.quantize()
    case .superBlocksOf256: input.quantizeSuperBlocks()
    }
}

/// `multiplyRows` on the portable scalar path of the C kernels (`axl_scalar_*`), the reference
/// every vector path is compared with; the input must already be prepared for the weight.
func multiplyRowsOnScalarPath(_ weight: WeightMatrix, _ input: MatmulInput, rows: Range<Int>,
                              into out: UnsafeMutablePointer<Float>, outStride: Int) {
    let w = weight.base.assumingMemoryBound(to: UInt8.self)
    let begin = Int32(rows.lowerBound), end = Int32(rows.upperBound)
    let k = Int32(weight.columns), tokens = Int32(input.tokens)
    let blocksOf32 = [GGMLType.q4_0: axl_scalar_matmul_q4_0, .q4_1: axl_scalar_matmul_q4_1,
                      .q8_0: axl_scalar_matmul_q8_0, .q5_0: axl_scalar_matmul_q5_0, .q5_1: axl_scalar_matmul_q5_1]
    let superBlocks = [GGMLType.q4_K: axl_scalar_matmul_q4_k, .q5_K: axl_scalar_matmul_q5_k, .q6_K: axl_scalar_matmul_q6_k]
    let floats = [GGMLType.f32: axl_scalar_matmul_f32, .f16: axl_scalar_matmul_f16, .bf16: axl_scalar_matmul_bf16]
    if let kernel = blocksOf32[weight.type] {
        kernel(w, weight.rowBytes, begin, end, k, input.quants, input.scales, input.scaledSums, tokens, out, outStride)
    } else if let kernel = superBlocks[weight.type] {
        kernel(w, weight.rowBytes, begin, end, k, input.superBlockQuants, input.superBlockScales, input.sixteenSums,
               tokens, out, outStride)
    } else if let kernel = floats[weight.type] {
        kernel(w, weight.rowBytes, begin, end, k, input.values, tokens, out, outStride)
    } else {
        preconditionFailure("no scalar kernel for \(weight.type.name)")
    }
}

/// The Swift reference for one product: the weight row dequantized (RowDequantizer) times the
/// activations the kernel reads (dequantized when they are int8), summed in Double, with the sum
/// of the terms' magnitudes that tolerances are stated against.
func referenceProduct(_ weight: WeightMatrix, row: Int, input: MatmulInput, token: Int) -> (value: Double, magnitude: Double) {
    let k = weight.columns
    var w = [Float](repeating: 0, count: k)
    w.withUnsafeMutableBufferPointer { weight.dequantizeRow(row, into: $0.baseAddress!) }
    var sum = 0.0, magnitude = 0.0
    for i in 0..<k {
        let j = token * k + i
        let a: Float
        switch weight.activationFormat {
        case .float: a = input.values[j]
        case .blocksOf32: a = Float(input.quants[j]) * input.scales[j / 32]
        case .superBlocksOf256: a = Float(input.superBlockQuants[j]) * input.superBlockScales[j / 256]
        }
        sum += Double(w[i]) * Double(a)
        magnitude += abs(Double(w[i]) * Double(a))
    }
    return (sum, magnitude)
}
