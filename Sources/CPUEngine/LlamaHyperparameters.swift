import GGUF

/// The shape of a llama-family model, read from GGUF metadata (`{architecture}.*` keys).
struct LlamaHyperparameters: Equatable {
    var architecture: TransformerArchitecture
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
    /// Multiplies every RoPE angle: 1, or 1/factor under linear scaling (`rope.scaling.factor`).
    var ropeFrequencyScale: Float

    var queryWidth: Int { headCount * headDimension }
    var kvWidth: Int { kvHeadCount * headDimension }

    init(file: GGUFFile) throws {
        guard let architecture = file.architecture.flatMap(TransformerArchitecture.init(rawValue:)) else {
            throw CPUEngineError.unsupportedArchitecture(file.architecture)
        }
        self.architecture = architecture
        let arch = architecture.rawValue
        func required(_ key: String) throws -> Int {
            guard let value = file.int("\(arch).\(key)") else {
                throw CPUEngineError.missingMetadata(key: "\(arch).\(key)")
            }
            return value
        }
        embeddingLength = try required("embedding_length")
        layerCount = try required("block_count")
        headCount = try required("attention.head_count")
        kvHeadCount = file.int("\(arch).attention.head_count_kv") ?? headCount
        feedForwardLength = try required("feed_forward_length")
        trainedContextLength = try required("context_length")
        guard let epsilon = file.float("\(arch).attention.layer_norm_rms_epsilon") else {
            throw CPUEngineError.missingMetadata(key: "\(arch).attention.layer_norm_rms_epsilon")
        }
        rmsEpsilon = epsilon
        // llama.cpp's default when the key is absent (llama-model.cpp: rope_freq_base_train)
        ropeFrequencyBase = file.float("\(arch).rope.freq_base") ?? 10_000
        ropeFrequencyScale = try Self.ropeFrequencyScale(file, arch: arch)
        let keyLength = file.int("\(arch).attention.key_length")
        guard headCount > 0, kvHeadCount > 0, headCount % kvHeadCount == 0,
              keyLength != nil || embeddingLength % headCount == 0 else {
            throw CPUEngineError.invalidHyperparameters(
                "\(headCount) attention heads cannot share \(kvHeadCount) key/value heads over width \(embeddingLength)")
        }
        // Qwen3 declares heads wider than embedding/heads (key_length 128 at width 1024 × 16 heads).
        headDimension = keyLength ?? embeddingLength / headCount
        if let valueLength = file.int("\(arch).attention.value_length"), valueLength != headDimension {
            throw CPUEngineError.invalidHyperparameters(
                "value heads \(valueLength) wide differ from key heads \(headDimension) wide")
        }
        ropeDimensionCount = file.int("\(arch).rope.dimension_count") ?? headDimension
        guard ropeDimensionCount <= headDimension, ropeDimensionCount % 2 == 0 else {
            throw CPUEngineError.invalidHyperparameters(
                "RoPE rotates \(ropeDimensionCount) dimensions of heads \(headDimension) wide")
        }
        guard let tokenEmbedding = file.tensor(named: "token_embd.weight"),
              tokenEmbedding.dimensions.count == 2 else {
            throw CPUEngineError.missingTensor(name: "token_embd.weight")
        }
        vocabularySize = file.int("\(arch).vocab_size") ?? tokenEmbedding.dimensions[1]
        guard [layerCount, embeddingLength, feedForwardLength, vocabularySize, trainedContextLength]
            .allSatisfy({ $0 > 0 }) else {
            throw CPUEngineError.invalidHyperparameters("a layer count, width or length is zero")
        }
    }

    /// llama.cpp reads `rope.scaling.type` (none, linear, yarn, longrope) and `rope.scaling.factor`;
    /// Llama 3's scaling comes as per-frequency factors in the `rope_freqs.weight` tensor instead
    /// (convert_hf_to_gguf writes no scaling type for it), which the weights load.
    private static func ropeFrequencyScale(_ file: GGUFFile, arch: String) throws -> Float {
        let type = file.string("\(arch).rope.scaling.type") ?? "none"
        let factor = file.float("\(arch).rope.scaling.factor") ?? 0
        switch type {
        case "none":
            return 1
        case "linear":
            return factor > 0 ? 1 / factor : 1
        default:
            throw CPUEngineError.unsupportedRopeScaling(type)
        }
    }
}
