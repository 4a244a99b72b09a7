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
    let contextCapacity: Int
    /// Attention scores of one part per worker and query head, each row as long as the context
    /// (a part is the whole span at the card's precision).
    let scores: UnsafeMutablePointer<Float>
    let scoreStride: Int
    /// Attention parts (axl_attention_part) before they are merged, each part `partStride`
    /// floats: outputs (group × head dimension), then score maxima and exponential sums (group
    /// each). Decode's parts of every KV head first, then each worker's own.
    let attentionParts: UnsafeMutablePointer<Float>
    let partStride: Int
    let maximumParts: Int

    /// RoPE cosines and sines of each token of the batch.
    let ropeTable: UnsafeMutablePointer<Float>
    /// The input of the q/k/v, output and gate/up products.
    let input: MatmulInput
    /// The down projection's input (SwiGLU's output), which the gate/up region quantizes chunk by
    /// chunk while `input` still holds what that region reads.
    let hiddenInput: MatmulInput

    init(shape h: LlamaHyperparameters, batchCapacity: Int, contextCapacity: Int, workers: Int) {
        self.batchCapacity = batchCapacity
        x = .allocate(capacity: batchCapacity * h.embeddingLength)
        xb = .allocate(capacity: batchCapacity * h.embeddingLength)
        q = .allocate(capacity: batchCapacity * h.queryWidth)
        attention = .allocate(capacity: batchCapacity * h.queryWidth)
        gate = .allocate(capacity: batchCapacity * h.feedForwardLength)
        up = .allocate(capacity: batchCapacity * h.feedForwardLength)
        logits = .allocate(capacity: h.vocabularySize)
        let group = h.headCount / h.kvHeadCount
        self.contextCapacity = contextCapacity
        scoreStride = group * contextCapacity
        scores = .allocate(capacity: workers * scoreStride)
        partStride = group * (h.headDimension + 2)
        maximumParts = (contextCapacity + Self.attentionPartLength - 1) / Self.attentionPartLength
        attentionParts = .allocate(capacity: (h.kvHeadCount + workers) * maximumParts * partStride)
        ropeTable = .allocate(capacity: batchCapacity * h.ropeDimensionCount)
        let widest = max(h.embeddingLength, h.queryWidth, h.feedForwardLength)
        input = MatmulInput(capacity: batchCapacity * widest)
        hiddenInput = MatmulInput(capacity: batchCapacity * h.feedForwardLength)
    }

    deinit {
        for buffer in [x, xb, q, attention, gate, up, logits, scores, attentionParts, ropeTable] { buffer.deallocate() }
    }

    /// Slots in one part of a query's attention. Parts start at fixed slots, so how a position's
    /// attention is split, and so its rounding, does not depend on the batch it is evaluated in:
    /// a prompt evaluated in one batch or continued from a cached prefix gives the same logits.
    /// 128 lets two threads share decode's attention from 128 positions on.
    static let attentionPartLength = 128

    /// Where part `part` of a group of parts `first` (a KV head's in decode, a worker's otherwise) goes.
    func attentionPart(_ part: Int, ofGroup first: Int) -> UnsafeMutablePointer<Float> {
        attentionParts + (first * maximumParts + part) * partStride
    }
}
