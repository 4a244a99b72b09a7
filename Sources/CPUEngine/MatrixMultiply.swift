import CCPUKernels

/// One product of a batch: out[t * stride + r] = row r of `weight` · input token t.
struct MatmulTarget {
    let weight: WeightMatrix
    let out: UnsafeMutablePointer<Float>
    let stride: Int

    init(_ weight: WeightMatrix, _ out: UnsafeMutablePointer<Float>, stride: Int) {
        self.weight = weight
        self.out = out
        self.stride = stride
    }
}

/// Computes up to three products of the same input in one parallel region (q, k, v or gate,
/// up). Each matrix's rows are cut into chunks that the pool's threads claim; each kernel call
/// covers all tokens of its rows, so a weight row is read once per batch and reused across tokens.
func multiply(_ a: MatmulTarget, _ b: MatmulTarget? = nil, _ c: MatmulTarget? = nil,
              input: MatmulInput, pool: WorkerPool) {
    // (a nested function rather than an array of targets: no allocation per call)
    func prepare(_ target: MatmulTarget?) {
        guard let weight = target?.weight else { return }
        precondition(input.columns == weight.columns,
                     "\(weight.name): input width \(input.columns) ≠ \(weight.columns)")
        switch weight.activationFormat {
        case .float: break
        case .blocksOf32: input.quantize()
        case .superBlocksOf256: input.quantizeSuperBlocks()
        }
    }
    prepare(a)
    prepare(b)
    prepare(c)
    let sizeA = pool.chunkSize(for: a.weight.rows), chunksA = (a.weight.rows + sizeA - 1) / sizeA
    let sizeB = b.map { pool.chunkSize(for: $0.weight.rows) } ?? 1
    let chunksB = b.map { ($0.weight.rows + sizeB - 1) / sizeB } ?? 0
    let sizeC = c.map { pool.chunkSize(for: $0.weight.rows) } ?? 1
    let chunksC = c.map { ($0.weight.rows + sizeC - 1) / sizeC } ?? 0
    pool.run(chunks: chunksA + chunksB + chunksC) { chunk, _ in
        let target: MatmulTarget, index: Int, size: Int
        if chunk < chunksA {
            (target, index, size) = (a, chunk, sizeA)
        } else if chunk < chunksA + chunksB {
            (target, index, size) = (b!, chunk - chunksA, sizeB)
        } else {
            (target, index, size) = (c!, chunk - chunksA - chunksB, sizeC)
        }
        let rows = index * size..<min(target.weight.rows, (index + 1) * size)
        multiplyRows(target.weight, input, rows: rows, into: target.out, outStride: target.stride)
    }
}

/// The single-threaded kernel call for a range of rows; the input must already be in the
/// weight's activation format.
func multiplyRows(_ weight: WeightMatrix, _ input: MatmulInput, rows: Range<Int>,
                  into out: UnsafeMutablePointer<Float>, outStride: Int) {
    let w = weight.base.assumingMemoryBound(to: UInt8.self)
    let begin = Int32(rows.lowerBound), end = Int32(rows.upperBound)
    let k = Int32(weight.columns), tokens = Int32(input.tokens)
    switch weight.type {
    case .q4_0:
        axl_matmul_q4_0(w, weight.rowBytes, begin, end, k, input.quants, input.scales,
                        input.scaledSums, tokens, out, outStride)
    case .q4_1:
        axl_matmul_q4_1(w, weight.rowBytes, begin, end, k, input.quants, input.scales,
                        input.scaledSums, tokens, out, outStride)
    case .q8_0:
        axl_matmul_q8_0(w, weight.rowBytes, begin, end, k, input.quants, input.scales,
                        input.scaledSums, tokens, out, outStride)
    case .q5_0:
        axl_matmul_q5_0(w, weight.rowBytes, begin, end, k, input.quants, input.scales,
                        input.scaledSums, tokens, out, outStride)
    case .q5_1:
        axl_matmul_q5_1(w, weight.rowBytes, begin, end, k, input.quants, input.scales,
                        input.scaledSums, tokens, out, outStride)
    case .q4_K:
        axl_matmul_q4_k(w, weight.rowBytes, begin, end, k, input.superBlockQuants, input.superBlockScales,
                        input.sixteenSums, tokens, out, outStride)
    case .q5_K:
        axl_matmul_q5_k(w, weight.rowBytes, begin, end, k, input.superBlockQuants, input.superBlockScales,
                        input.sixteenSums, tokens, out, outStride)
    case .q6_K:
        axl_matmul_q6_k(w, weight.rowBytes, begin, end, k, input.superBlockQuants, input.superBlockScales,
                        input.sixteenSums, tokens, out, outStride)
    case .f32:
        axl_matmul_f32(w, weight.rowBytes, begin, end, k, input.values, tokens, out, outStride)
    case .f16:
        axl_matmul_f16(w, weight.rowBytes, begin, end, k, input.values, tokens, out, outStride)
    case .bf16:
        axl_matmul_bf16(w, weight.rowBytes, begin, end, k, input.values, tokens, out, outStride)
    default:
        preconditionFailure("\(weight.type.name) weights are rejected when the model is loaded")
    }
}
