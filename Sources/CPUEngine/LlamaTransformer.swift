import CCPUKernels
import EngineInterface

/// The llama-family forward pass over a batch of tokens, reading top to bottom like llama2.c's
/// `forward`: embed → per layer (norm, q/k/v into the cache, [Qwen2 biases], [Qwen3 QK-norm],
/// RoPE, attention, output, residual, norm, SwiGLU FFN, residual) → final norm → classifier.
final class LlamaTransformer {
    let shape: LlamaHyperparameters
    let weights: LlamaWeights
    let rope: RotaryEmbedding
    let state: RunState
    let pool: WorkerPool
    /// How each region's products are cut into chunks (all layers have the same shapes).
    private let plans: RegionPlans
    /// Rounds to bf16 where an NPU card's layer engines exchange data (the embedding row, each
    /// layer's output, K/V cache rows, logits), so the NPU path can be checked against this pass
    /// bit for bit (axera.md §3.4). Off for serving.
    var roundsAtCardBoundaries = false

    init(shape: LlamaHyperparameters, weights: LlamaWeights, batchCapacity: Int,
         contextCapacity: Int, pool: WorkerPool) {
        self.shape = shape
        self.weights = weights
        self.pool = pool
        rope = RotaryEmbedding(headDimension: shape.headDimension, rotatedDimensions: shape.ropeDimensionCount,
                               base: shape.ropeFrequencyBase, pairing: shape.architecture.ropePairing,
                               frequencyScale: shape.ropeFrequencyScale, frequencyFactors: weights.ropeFrequencyFactors)
        state = RunState(shape: shape, batchCapacity: batchCapacity, contextCapacity: contextCapacity,
                         workers: pool.workerCount)
        plans = RegionPlans(shape: shape, weights: weights, workers: pool.workerCount)
    }

    /// Appends `tokens` to `cache` (at positions cache.count...), in batches of the run state's
    /// capacity. Leaves the logits of the last token in `state.logits` when `computeLogits`, and
    /// adds each token's final normalised hidden state to `pooled` when given.
    func evaluate(_ tokens: UnsafeBufferPointer<TokenID>, cache: KVCache, computeLogits: Bool,
                  pooled: UnsafeMutablePointer<Float>? = nil) {
        var done = 0
        while done < tokens.count {
            let count = min(state.batchCapacity, tokens.count - done)
            let isLast = done + count == tokens.count
            forward(UnsafeBufferPointer(rebasing: tokens[done..<done + count]), cache: cache,
                    computeLogits: computeLogits && isLast, pooled: pooled)
            cache.count += count
            done += count
        }
    }

    private func forward(_ tokens: UnsafeBufferPointer<TokenID>, cache: KVCache, computeLogits: Bool,
                         pooled: UnsafeMutablePointer<Float>?) {
        let h = shape, s = state, n = tokens.count, start = cache.count, dim = h.embeddingLength

        for t in 0..<n {
            weights.tokenEmbedding.dequantizeRow(Int(tokens[t]), into: s.x + t * dim)
            rope.fillTable(position: start + t, into: s.ropeTable + t * rope.tableSize)
        }
        if roundsAtCardBoundaries { roundToBFloat16(s.x, count: n * dim) }

        for (l, layer) in weights.layers.enumerated() {
            attentionBlock(layer, index: l, tokens: n, start: start, cache: cache)
            feedForwardBlock(layer, tokens: n)
        }

        weights.outputNorm.withUnsafeBufferPointer { norm in
            if let pooled {
                for t in 0..<n {
                    rmsNorm(s.x + t * dim, weight: norm.baseAddress!, epsilon: h.rmsEpsilon, into: s.xb, count: dim)
                    add(s.xb, to: pooled, count: dim)
                }
            }
            if computeLogits {
                rmsNorm(s.x + (n - 1) * dim, weight: norm.baseAddress!, epsilon: h.rmsEpsilon, into: s.xb, count: dim)
            }
        }
        if computeLogits {
            s.input.set(s.xb, tokens: 1, columns: dim)
            multiply(MatmulTarget(weights.output, s.logits, stride: h.vocabularySize), input: s.input,
                     plan: plans.classifier, pool: pool) { _, rows in
                if roundsAtCardBoundaries { roundToBFloat16(s.logits + rows.lowerBound, count: rows.count) }
            }
        }
    }

    /// Norm; q into the run state and k, v straight into the cache, each chunk of rows finished
    /// (biases, QK-norm, RoPE) by the thread that computed it; attention; output projection with
    /// the residual added chunk by chunk.
    private func attentionBlock(_ layer: LlamaLayerWeights, index l: Int, tokens n: Int, start: Int,
                                cache: KVCache) {
        let h = shape, s = state, dim = h.embeddingLength, qWidth = h.queryWidth, kvWidth = h.kvWidth
        normalize(layer.attentionNorm, tokens: n)
        s.input.set(s.xb, tokens: n, columns: dim)
        let keys = cache.keys(layer: l, slot: start), values = cache.values(layer: l, slot: start)
        multiply(MatmulTarget(layer.query, s.q, stride: qWidth), MatmulTarget(layer.key, keys, stride: kvWidth),
                 MatmulTarget(layer.value, values, stride: kvWidth), input: s.input, plan: plans.attentionInput,
                 pool: pool) { group, rows in
            switch group {
            case 0: finishHeads(rows, of: s.q, stride: qWidth, tokens: n, bias: layer.queryBias, norm: layer.queryNorm)
            case 1:
                finishHeads(rows, of: keys, stride: kvWidth, tokens: n, bias: layer.keyBias, norm: layer.keyNorm)
                roundCacheRows(rows, of: keys, tokens: n)
            default:
                if let bias = layer.valueBias {
                    for t in 0..<n { addRows(rows, of: bias, to: values + t * kvWidth) }
                }
                roundCacheRows(rows, of: values, tokens: n)
            }
        }
        attend(layer: l, tokens: n, start: start, cache: cache)
        s.input.set(s.attention, tokens: n, columns: qWidth)
        multiply(MatmulTarget(layer.attentionOutput, s.xb, stride: dim), input: s.input,
                 plan: plans.attentionOutput, pool: pool) { _, rows in
            addResidual(rows, tokens: n, rounding: false)
        }
    }

    /// Norm; gate and up on the same rows in each chunk, followed there by SwiGLU and, for
    /// blocks-of-32 weights, the quantization of those columns of the down projection's input;
    /// down projection with the residual added chunk by chunk.
    private func feedForwardBlock(_ layer: LlamaLayerWeights, tokens n: Int) {
        let s = state, dim = shape.embeddingLength, ffn = shape.feedForwardLength
        normalize(layer.feedForwardNorm, tokens: n)
        s.input.set(s.xb, tokens: n, columns: dim)
        s.hiddenInput.set(s.gate, tokens: n, columns: ffn)
        let quantizesInChunks = layer.down.activationFormat == .blocksOf32
        multiply(MatmulTarget(layer.gate, s.gate, stride: ffn), MatmulTarget(layer.up, s.up, stride: ffn),
                 input: s.input, plan: plans.feedForwardInput, pool: pool) { _, rows in
            for t in 0..<n {
                axl_silu_mul(s.gate + t * ffn + rows.lowerBound, s.up + t * ffn + rows.lowerBound, Int32(rows.count))
            }
            if quantizesInChunks { s.hiddenInput.quantize(columns: rows) }
        }
        if quantizesInChunks { s.hiddenInput.markQuantized() }
        multiply(MatmulTarget(layer.down, s.xb, stride: dim), input: s.hiddenInput, plan: plans.feedForwardOutput,
                 pool: pool) { _, rows in
            addResidual(rows, tokens: n, rounding: roundsAtCardBoundaries)
        }
    }

    /// xb = rmsNorm(x) for each token of the batch.
    private func normalize(_ weight: [Float], tokens n: Int) {
        let s = state, dim = shape.embeddingLength
        weight.withUnsafeBufferPointer { norm in
            for t in 0..<n {
                rmsNorm(s.x + t * dim, weight: norm.baseAddress!, epsilon: shape.rmsEpsilon, into: s.xb + t * dim,
                        count: dim)
            }
        }
    }

    /// Bias, QK-norm and RoPE of whole heads `rows` (a chunk of the q or k product) of each token.
    @inline(__always)
    private func finishHeads(_ rows: Range<Int>, of x: UnsafeMutablePointer<Float>, stride: Int, tokens n: Int,
                             bias: [Float]?, norm: [Float]?) {
        let hd = shape.headDimension, firstHead = rows.lowerBound / hd, heads = rows.count / hd
        for t in 0..<n {
            let row = x + t * stride
            if let bias { addRows(rows, of: bias, to: row) }
            if let norm { normalizeHeads(row + firstHead * hd, heads: heads, weight: norm) }
            rope.rotate(row + firstHead * hd, heads: heads, table: state.ropeTable + t * rope.tableSize)
        }
    }

    /// row[r] += vector[r] for r in `rows`.
    @inline(__always)
    private func addRows(_ rows: Range<Int>, of vector: [Float], to row: UnsafeMutablePointer<Float>) {
        vector.withUnsafeBufferPointer {
            add($0.baseAddress! + rows.lowerBound, to: row + rows.lowerBound, count: rows.count)
        }
    }

    /// The card keeps its K/V cache in bf16: rounds `rows` of each new cache row at card precision.
    @inline(__always)
    private func roundCacheRows(_ rows: Range<Int>, of first: UnsafeMutablePointer<Float>, tokens n: Int) {
        guard roundsAtCardBoundaries else { return }
        for t in 0..<n { roundToBFloat16(first + t * shape.kvWidth + rows.lowerBound, count: rows.count) }
    }

    /// x += xb over `rows` of each token, then rounded to bf16 where a layer's output leaves the card.
    @inline(__always)
    private func addResidual(_ rows: Range<Int>, tokens n: Int, rounding: Bool) {
        let s = state, dim = shape.embeddingLength
        for t in 0..<n {
            let first = t * dim + rows.lowerBound
            add(s.xb + first, to: s.x + first, count: rows.count)
            if rounding { roundToBFloat16(s.x + first, count: rows.count) }
        }
    }

    /// RMS-normalises each head of `x` in place with the shared one-head-wide `weight` (Qwen3).
    private func normalizeHeads(_ x: UnsafeMutablePointer<Float>, heads: Int, weight: [Float]) {
        let hd = shape.headDimension
        weight.withUnsafeBufferPointer { w in
            for head in 0..<heads {
                rmsNorm(x + head * hd, weight: w.baseAddress!, epsilon: shape.rmsEpsilon, into: x + head * hd, count: hd)
            }
        }
    }

    /// Causal grouped-query attention of the batch's queries over cache slots 0...position.
    /// Each key and value row is read once for all query heads of its KV head's group, in parts
    /// of fixed slot ranges merged afterwards (RunState.attentionPartLength). A batch's chunks
    /// are (token, KV head) pairs; decode's single token gives each part its own chunk instead,
    /// so both threads share its attention.
    private func attend(layer l: Int, tokens n: Int, start: Int, cache: KVCache) {
        let kvHeads = shape.kvHeadCount, s = state
        if n == 1 {
            let parts = attentionParts(span: start + 1)
            pool.run(chunks: kvHeads * parts) { chunk, worker in
                let kvHead = chunk / parts
                attentionPart(chunk % parts, token: 0, kvHead: kvHead, layer: l, start: start, cache: cache,
                              worker: worker, into: s.attentionPart(chunk % parts, ofGroup: kvHead))
            }
            for kvHead in 0..<kvHeads { mergeAttentionParts(parts, from: kvHead, token: 0, kvHead: kvHead) }
            return
        }
        pool.run(chunks: n * kvHeads) { chunk, worker in
            let t = chunk / kvHeads, kvHead = chunk % kvHeads
            let parts = attentionParts(span: start + t + 1), scratch = kvHeads + worker
            for part in 0..<parts {
                attentionPart(part, token: t, kvHead: kvHead, layer: l, start: start, cache: cache,
                              worker: worker, into: s.attentionPart(part, ofGroup: scratch))
            }
            mergeAttentionParts(parts, from: scratch, token: t, kvHead: kvHead)
        }
    }

    /// Slots per part: the whole span at the card's precision, whose attention is one softmax
    /// over all positions, so that the reference matches the simulated card bit for bit.
    private var attentionPartLength: Int {
        roundsAtCardBoundaries ? state.contextCapacity : RunState.attentionPartLength
    }

    private func attentionParts(span: Int) -> Int {
        (span + attentionPartLength - 1) / attentionPartLength
    }

    /// One part of token `t`'s attention for the query heads of `kvHead`.
    @inline(__always)
    private func attentionPart(_ part: Int, token t: Int, kvHead: Int, layer l: Int, start: Int, cache: KVCache,
                               worker: Int, into result: UnsafeMutablePointer<Float>) {
        let h = shape, s = state
        let hd = h.headDimension, group = h.headCount / h.kvHeadCount
        let first = part * attentionPartLength
        let end = min(start + t + 1, first + attentionPartLength)
        axl_attention_part(s.q + t * h.queryWidth + kvHead * group * hd, Int32(group), Int32(hd),
                           cache.keys(layer: l, slot: first) + kvHead * hd,
                           cache.values(layer: l, slot: first) + kvHead * hd, h.kvWidth, Int32(end - first),
                           1 / Float(hd).squareRoot(), s.scores + worker * s.scoreStride,
                           result, result + group * hd, result + group * (hd + 1))
    }

    /// Merges the parts stored in `group` into token `t`'s attention output for the heads of `kvHead`.
    @inline(__always)
    private func mergeAttentionParts(_ parts: Int, from group: Int, token t: Int, kvHead: Int) {
        let h = shape, s = state
        let hd = h.headDimension, heads = h.headCount / h.kvHeadCount
        axl_attention_merge(s.attentionPart(0, ofGroup: group), Int32(parts), Int32(heads), Int32(hd), s.partStride,
                            s.attention + t * h.queryWidth + kvHead * heads * hd)
    }
}
