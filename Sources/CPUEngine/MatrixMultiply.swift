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

/// Computes up to three products of the same input (q, k, v or gate, up) in one parallel region,
/// cut into the chunks of `plan`, whose groups name the products by bit (1 = a, 2 = b, 4 = c). Each
/// kernel call covers all tokens of its rows, so a weight row is read once per batch and reused
/// across tokens. The thread that computed a chunk then calls `finish(group, rows)`, so work that
/// needs only those rows (RoPE, a residual add, SwiGLU) follows while they are in its cache,
/// without a region of its own.
func multiply(_ a: MatmulTarget, _ b: MatmulTarget? = nil, _ c: MatmulTarget? = nil,
              input: MatmulInput, plan: RowChunkPlan, pool: WorkerPool,
              finish: (_ group: Int, _ rows: Range<Int>) -> Void = { _, _ in }) {
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
    plan.chunks.withUnsafeBufferPointer { chunks in
        plan.groups.withUnsafeBufferPointer { groups in
            pool.run(chunks: chunks.count) { index, _ in
                let chunk = chunks[index], products = groups[chunk.group].products
                if products & 1 != 0 {
                    multiplyRows(a.weight, input, rows: chunk.rows, into: a.out, outStride: a.stride)
                }
                if products & 2 != 0 {
                    multiplyRows(b!.weight, input, rows: chunk.rows, into: b!.out, outStride: b!.stride)
                }
                if products & 4 != 0 {
                    multiplyRows(c!.weight, input, rows: chunk.rows, into: c!.out, outStride: c!.stride)
                }
                finish(chunk.group, chunk.rows)
            }
        }
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
