import GGUF

/// One transformer block's weights (llama.cpp tensor names `blk.N.*`).
struct LlamaLayerWeights {
    let attentionNorm: [Float]
    let query: WeightMatrix
    let key: WeightMatrix
    let value: WeightMatrix
    let attentionOutput: WeightMatrix
    let feedForwardNorm: [Float]
    let gate: WeightMatrix
    let up: WeightMatrix
    let down: WeightMatrix
    /// Qwen2's projection biases, added after the product.
    let queryBias: [Float]?
    let keyBias: [Float]?
    let valueBias: [Float]?
    /// Qwen3's per-head RMS-norm weights for queries and keys (one head wide, shared by all heads).
    let queryNorm: [Float]?
    let keyNorm: [Float]?
}

/// All weights of a llama-family model, as views into the memory-mapped GGUF file.
struct LlamaWeights {
    let tokenEmbedding: WeightMatrix
    let layers: [LlamaLayerWeights]
    let outputNorm: [Float]
    /// `output.weight`, or the token embedding when the model ties them (SmolLM2 does).
    let output: WeightMatrix
    /// Llama 3's RoPE frequency divisors, one per rotated pair (`rope_freqs.weight`), when present.
    let ropeFrequencyFactors: [Float]?

    init(file: GGUFFile, shape h: LlamaHyperparameters) throws {
        let dim = h.embeddingLength
        tokenEmbedding = try WeightMatrix(file, name: "token_embd.weight", columns: dim, rows: h.vocabularySize)
        let arch = h.architecture
        layers = try (0..<h.layerCount).map { i in
            let p = "blk.\(i)."
            func optionalVector(_ name: String, count: Int, when present: Bool) throws -> [Float]? {
                present ? try loadVector(file, name: p + name, count: count) : nil
            }
            return LlamaLayerWeights(
                attentionNorm: try loadVector(file, name: p + "attn_norm.weight", count: dim),
                query: try WeightMatrix(file, name: p + "attn_q.weight", columns: dim, rows: h.queryWidth),
                key: try WeightMatrix(file, name: p + "attn_k.weight", columns: dim, rows: h.kvWidth),
                value: try WeightMatrix(file, name: p + "attn_v.weight", columns: dim, rows: h.kvWidth),
                attentionOutput: try WeightMatrix(file, name: p + "attn_output.weight", columns: h.queryWidth, rows: dim),
                feedForwardNorm: try loadVector(file, name: p + "ffn_norm.weight", count: dim),
                gate: try WeightMatrix(file, name: p + "ffn_gate.weight", columns: dim, rows: h.feedForwardLength),
                up: try WeightMatrix(file, name: p + "ffn_up.weight", columns: dim, rows: h.feedForwardLength),
                down: try WeightMatrix(file, name: p + "ffn_down.weight", columns: h.feedForwardLength, rows: dim),
                queryBias: try optionalVector("attn_q.bias", count: h.queryWidth, when: arch.hasProjectionBiases),
                keyBias: try optionalVector("attn_k.bias", count: h.kvWidth, when: arch.hasProjectionBiases),
                valueBias: try optionalVector("attn_v.bias", count: h.kvWidth, when: arch.hasProjectionBiases),
                queryNorm: try optionalVector("attn_q_norm.weight", count: h.headDimension, when: arch.hasQueryKeyNorm),
                keyNorm: try optionalVector("attn_k_norm.weight", count: h.headDimension, when: arch.hasQueryKeyNorm))
        }
        outputNorm = try loadVector(file, name: "output_norm.weight", count: dim)
        if file.tensor(named: "output.weight") != nil {
            output = try WeightMatrix(file, name: "output.weight", columns: dim, rows: h.vocabularySize)
        } else {
            output = tokenEmbedding
        }
        ropeFrequencyFactors = file.tensor(named: "rope_freqs.weight") == nil ? nil
            : try loadVector(file, name: "rope_freqs.weight", count: h.ropeDimensionCount / 2)
    }
}
