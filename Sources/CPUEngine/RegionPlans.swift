/// The chunks of each matrix-product region of the llama forward pass (RowChunkPlan). Every
/// layer has the same shapes, so the first layer's weights stand for all of them.
struct RegionPlans {
    /// q, k, v: q and k in whole heads, so the thread that computed them can apply RoPE (and
    /// Qwen3's per-head norm); v last, in small chunks that even out the end of the region.
    let attentionInput: RowChunkPlan
    let attentionOutput: RowChunkPlan
    /// gate and up together, in blocks of 32 rows: the blocks the down projection's input is
    /// quantized in.
    let feedForwardInput: RowChunkPlan
    let feedForwardOutput: RowChunkPlan
    let classifier: RowChunkPlan

    /// Rows a chunk is a multiple of when nothing finer is needed: half a cache line of f32 outputs.
    private static let rowGranule = 16

    init(shape h: LlamaHyperparameters, weights: LlamaWeights, workers: Int) {
        let g = Self.rowGranule
        typealias Group = RowChunkPlan.Group
        if let layer = weights.layers.first {
            attentionInput = RowChunkPlan([
                Group(products: 1, rows: h.queryWidth, granule: h.headDimension, bytesPerRow: layer.query.rowBytes),
                Group(products: 2, rows: h.kvWidth, granule: h.headDimension, bytesPerRow: layer.key.rowBytes),
                Group(products: 4, rows: h.kvWidth, granule: g, bytesPerRow: layer.value.rowBytes),
            ], workers: workers)
            attentionOutput = RowChunkPlan(rows: h.embeddingLength, granule: g,
                                           bytesPerRow: layer.attentionOutput.rowBytes, workers: workers)
            feedForwardInput = RowChunkPlan([
                Group(products: 3, rows: h.feedForwardLength, granule: 32,
                      bytesPerRow: layer.gate.rowBytes + layer.up.rowBytes),
            ], workers: workers)
            feedForwardOutput = RowChunkPlan(rows: h.embeddingLength, granule: g, bytesPerRow: layer.down.rowBytes,
                                             workers: workers)
        } else {
            let none = RowChunkPlan([], workers: workers)
            (attentionInput, attentionOutput, feedForwardInput, feedForwardOutput) = (none, none, none, none)
        }
        classifier = RowChunkPlan(rows: h.vocabularySize, granule: g, bytesPerRow: weights.output.rowBytes,
                                  workers: workers)
    }
}
