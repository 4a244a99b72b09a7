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
        let h = shape, s = state, n = tokens.count, start = cache.count
        let dim = h.embeddingLength, qWidth = h.queryWidth, kvWidth = h.kvWidth, ffn = h.feedForwardLength

        for t in 0..<n {
            weights.tokenEmbedding.dequantizeRow(Int(tokens[t]), into: s.x + t * dim)
            rope.fillTable(position: start + t, into: s.ropeTable + t * rope.tableSize)
        }
        if roundsAtCardBoundaries { roundToBFloat16(s.x, count: n * dim) }

        for (l, layer) in weights.layers.enumerated() {
            // attention: norm, then q into the run state and k, v straight into the cache
            layer.attentionNorm.withUnsafeBufferPointer { norm in
                for t in 0..<n {
                    rmsNorm(s.x + t * dim, weight: norm.baseAddress!, epsilon: h.rmsEpsilon,
                            into: s.xb + t * dim, count: dim)
                }
            }
            s.input.set(s.xb, tokens: n, columns: dim)
            multiply(MatmulTarget(layer.query, s.q, stride: qWidth),
                     MatmulTarget(layer.key, cache.keys(layer: l, slot: start), stride: kvWidth),
                     MatmulTarget(layer.value, cache.values(layer: l, slot: start), stride: kvWidth),
                     input: s.input, pool: pool)
            for t in 0..<n {
                let query = s.q + t * qWidth
                let key = cache.keys(layer: l, slot: start + t), value = cache.values(layer: l, slot: start + t)
                if let bias = layer.queryBias, let keyBias = layer.keyBias, let valueBias = layer.valueBias {
                    add(bias, to: query, count: qWidth)
                    add(keyBias, to: key, count: kvWidth)
                    add(valueBias, to: value, count: kvWidth)
                }
                if let queryNorm = layer.queryNorm, let keyNorm = layer.keyNorm {
                    normalizeHeads(query, heads: h.headCount, weight: queryNorm)
                    normalizeHeads(key, heads: h.kvHeadCount, weight: keyNorm)
                }
                let table = s.ropeTable + t * rope.tableSize
                rope.rotate(query, heads: h.headCount, table: table)
                rope.rotate(key, heads: h.kvHeadCount, table: table)
            }
            if roundsAtCardBoundaries {
                roundToBFloat16(cache.keys(layer: l, slot: start), count: n * kvWidth)
                roundToBFloat16(cache.values(layer: l, slot: start), count: n * kvWidth)
            }
            attend(layer: l, tokens: n, start: start, cache: cache)
            s.input.set(s.attention, tokens: n, columns: qWidth)
            multiply(MatmulTarget(layer.attentionOutput, s.xb, stride: dim), input: s.input, pool: pool)
            add(s.xb, to: s.x, count: n * dim)

            // feed-forward: norm, SwiGLU, down projection, residual
            layer.feedForwardNorm.withUnsafeBufferPointer { norm in
                for t in 0..<n {
                    rmsNorm(s.x + t * dim, weight: norm.baseAddress!, epsilon: h.rmsEpsilon,
                            into: s.xb + t * dim, count: dim)
                }
            }
            s.input.set(s.xb, tokens: n, columns: dim)
            multiply(MatmulTarget(layer.gate, s.gate, stride: ffn), MatmulTarget(layer.up, s.up, stride: ffn),
                     input: s.input, pool: pool)
            axl_silu_mul(s.gate, s.up, Int32(n * ffn))
            s.input.set(s.gate, tokens: n, columns: ffn)
            multiply(MatmulTarget(layer.down, s.xb, stride: dim), input: s.input, pool: pool)
            add(s.xb, to: s.x, count: n * dim)
            if roundsAtCardBoundaries { roundToBFloat16(s.x, count: n * dim) }
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
            multiply(MatmulTarget(weights.output, s.logits, stride: h.vocabularySize), input: s.input, pool: pool)
            if roundsAtCardBoundaries { roundToBFloat16(s.logits, count: h.vocabularySize) }
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
