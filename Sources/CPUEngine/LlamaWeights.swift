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
}

/// All weights of a llama model, as views into the memory-mapped GGUF file.
struct LlamaWeights {
    let tokenEmbedding: WeightMatrix
    let layers: [LlamaLayerWeights]
    let outputNorm: [Float]
    /// `output.weight`, or the token embedding when the model ties them (SmolLM2 does).
    let output: WeightMatrix

    init(file: GGUFFile, shape h: LlamaHyperparameters) throws {
        let dim = h.embeddingLength
        tokenEmbedding = try WeightMatrix(file, name: "token_embd.weight", columns: dim, rows: h.vocabularySize)
        layers = try (0..<h.layerCount).map { i in
            let p = "blk.\(i)."
            return LlamaLayerWeights(
                attentionNorm: try loadVector(file, name: p + "attn_norm.weight", count: dim),
                query: try WeightMatrix(file, name: p + "attn_q.weight", columns: dim, rows: h.queryWidth),
                key: try WeightMatrix(file, name: p + "attn_k.weight", columns: dim, rows: h.kvWidth),
                value: try WeightMatrix(file, name: p + "attn_v.weight", columns: dim, rows: h.kvWidth),
                attentionOutput: try WeightMatrix(file, name: p + "attn_output.weight", columns: h.queryWidth, rows: dim),
                feedForwardNorm: try loadVector(file, name: p + "ffn_norm.weight", count: dim),
                gate: try WeightMatrix(file, name: p + "ffn_gate.weight", columns: dim, rows: h.feedForwardLength),
                up: try WeightMatrix(file, name: p + "ffn_up.weight", columns: dim, rows: h.feedForwardLength),
                down: try WeightMatrix(file, name: p + "ffn_down.weight", columns: h.feedForwardLength, rows: dim))
        }
        outputNorm = try loadVector(file, name: "output_norm.weight", count: dim)
        if file.tensor(named: "output.weight") != nil {
            output = try WeightMatrix(file, name: "output.weight", columns: dim, rows: h.vocabularySize)
        } else {
            output = tokenEmbedding
        }
    }
}
