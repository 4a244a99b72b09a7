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
/// up), each matrix's rows split across the pool's workers. Each kernel call covers all tokens
/// of its rows, so a weight row is read once per batch and reused across the tokens.
func multiply(_ a: MatmulTarget, _ b: MatmulTarget? = nil, _ c: MatmulTarget? = nil,
              input: MatmulInput, pool: WorkerPool) {
    // (a closure rather than an array of targets: no allocation per call)
    func each(_ body: (MatmulTarget) -> Void) {
        body(a)
        if let b { body(b) }
        if let c { body(c) }
    }
    each { target in
        let weight = target.weight
        precondition(input.columns == weight.columns,
                     "\(weight.name): input width \(input.columns) ≠ \(weight.columns)")
        if weight.isQuantized { input.quantize() }
    }
    pool.run { worker in
        each { target in
            let rows = pool.share(of: target.weight.rows, worker: worker, multipleOf: 4)
            if !rows.isEmpty {
                multiplyRows(target.weight, input, rows: rows, into: target.out, outStride: target.stride)
            }
        }
    }
}

/// The single-threaded kernel call for a range of rows; the input must already be quantized
/// when the weight is.
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
