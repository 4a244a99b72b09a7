/// Every activation buffer of the forward pass, allocated once for the largest batch, so the
/// token loop never allocates (llama2.c's RunState).
final class RunState {
    let batchCapacity: Int
    /// Residual stream, batch × embedding.
    let x: UnsafeMutablePointer<Float>
    /// Normalised residual, and the output of the attention and FFN projections.
    let xb: UnsafeMutablePointer<Float>
    /// Queries, batch × queryWidth.
    let q: UnsafeMutablePointer<Float>
    /// Attention result before the output projection, batch × queryWidth.
    let attention: UnsafeMutablePointer<Float>
    /// FFN gate and up projections, batch × feedForward.
    let gate: UnsafeMutablePointer<Float>
    let up: UnsafeMutablePointer<Float>
    let logits: UnsafeMutablePointer<Float>
    /// One attention score row per worker, each as long as the context.
    let scores: UnsafeMutablePointer<Float>
    let scoreStride: Int
    /// RoPE cosines and sines of each token of the batch.
    let ropeTable: UnsafeMutablePointer<Float>
    let input: MatmulInput

    init(shape h: LlamaHyperparameters, batchCapacity: Int, contextCapacity: Int, workers: Int) {
        self.batchCapacity = batchCapacity
        x = .allocate(capacity: batchCapacity * h.embeddingLength)
        xb = .allocate(capacity: batchCapacity * h.embeddingLength)
        q = .allocate(capacity: batchCapacity * h.queryWidth)
        attention = .allocate(capacity: batchCapacity * h.queryWidth)
        gate = .allocate(capacity: batchCapacity * h.feedForwardLength)
        up = .allocate(capacity: batchCapacity * h.feedForwardLength)
        logits = .allocate(capacity: h.vocabularySize)
        scoreStride = contextCapacity
        scores = .allocate(capacity: workers * contextCapacity)
        ropeTable = .allocate(capacity: batchCapacity * h.ropeDimensionCount)
        let widest = max(h.embeddingLength, h.queryWidth, h.feedForwardLength)
        input = MatmulInput(capacity: batchCapacity * widest)
    }

    deinit {
        for buffer in [x, xb, q, attention, gate, up, logits, scores, ropeTable] { buffer.deallocate() }
    }
}
