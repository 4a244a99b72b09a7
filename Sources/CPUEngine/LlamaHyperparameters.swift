import GGUF

/// The shape of a llama-architecture model, read from GGUF metadata (`llama.*` keys).
struct LlamaHyperparameters: Equatable {
    var embeddingLength: Int
    var layerCount: Int
    var headCount: Int
    var kvHeadCount: Int
    var headDimension: Int
    var feedForwardLength: Int
    var vocabularySize: Int
    var trainedContextLength: Int
    var rmsEpsilon: Float
    var ropeFrequencyBase: Float
    /// Leading dimensions of each head that RoPE rotates (the rest pass through).
    var ropeDimensionCount: Int

    var queryWidth: Int { headCount * headDimension }
    var kvWidth: Int { kvHeadCount * headDimension }

    init(file: GGUFFile) throws {
        let arch = file.architecture
        guard arch == "llama" else { throw CPUEngineError.unsupportedArchitecture(arch) }
        func required(_ key: String) throws -> Int {
            guard let value = file.int("llama.\(key)") else {
                throw CPUEngineError.missingMetadata(key: "llama.\(key)")
            }
            return value
        }
        embeddingLength = try required("embedding_length")
        layerCount = try required("block_count")
        headCount = try required("attention.head_count")
        kvHeadCount = file.int("llama.attention.head_count_kv") ?? headCount
        feedForwardLength = try required("feed_forward_length")
        trainedContextLength = try required("context_length")
        guard let epsilon = file.float("llama.attention.layer_norm_rms_epsilon") else {
            throw CPUEngineError.missingMetadata(key: "llama.attention.layer_norm_rms_epsilon")
        }
        rmsEpsilon = epsilon
        // llama.cpp's default when the key is absent (llama-model.cpp: rope_freq_base_train)
        ropeFrequencyBase = file.float("llama.rope.freq_base") ?? 10_000
        guard headCount > 0, kvHeadCount > 0, headCount % kvHeadCount == 0,
              embeddingLength % headCount == 0 else {
            throw CPUEngineError.invalidHyperparameters(
                "\(headCount) attention heads cannot share \(kvHeadCount) key/value heads over width \(embeddingLength)")
        }
        headDimension = file.int("llama.attention.key_length") ?? embeddingLength / headCount
        ropeDimensionCount = file.int("llama.rope.dimension_count") ?? headDimension
        guard ropeDimensionCount <= headDimension, ropeDimensionCount % 2 == 0 else {
            throw CPUEngineError.invalidHyperparameters(
                "RoPE rotates \(ropeDimensionCount) dimensions of heads \(headDimension) wide")
        }
        guard let tokenEmbedding = file.tensor(named: "token_embd.weight"),
              tokenEmbedding.dimensions.count == 2 else {
            throw CPUEngineError.missingTensor(name: "token_embd.weight")
        }
        vocabularySize = file.int("llama.vocab_size") ?? tokenEmbedding.dimensions[1]
        guard [layerCount, embeddingLength, feedForwardLength, vocabularySize, trainedContextLength]
            .allSatisfy({ $0 > 0 }) else {
            throw CPUEngineError.invalidHyperparameters("a layer count, width or length is zero")
        }
    }
}
