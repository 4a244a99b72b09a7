import AXCLSimulatorInterface
import GGUF

/// The transformer shape of a GGUF model, read from its `{arch}.*` metadata (llama.cpp key names).
public struct SourceModel: Sendable {
    public let architecture: String
    public let hidden: Int
    public let layerCount: Int
    public let heads: Int
    public let kvHeads: Int
    public let headDim: Int
    public let intermediate: Int
    public let vocabularySize: Int
    public let rmsNormEps: Float
    public let ropeTheta: Float
    /// Simulated-model flags: RoPE pairing and the family's extra tensors (docs/simulated-axmodel.md).
    public let flags: UInt32

    public var kvWidth: Int { kvHeads * headDim }

    public init(file: GGUFFile) throws {
        let arch = file.architecture ?? ""
        var flags: UInt32
        switch arch {
        // llama GGUF weights are permuted for adjacent-pair RoPE; qwen2/qwen3 rotate halves (NEOX).
        case "llama": flags = 0
        case "qwen2": flags = AXSIM_FLAG_ROPE_NEOX.rawValue | AXSIM_FLAG_QKV_BIAS.rawValue
        case "qwen3": flags = AXSIM_FLAG_ROPE_NEOX.rawValue | AXSIM_FLAG_QK_NORM.rawValue
        default: throw ConversionError.unsupportedArchitecture(file.architecture)
        }
        // Llama 3's RoPE scaling comes as per-frequency factors (llama.cpp reads rope_freqs.weight).
        if file.tensor(named: "rope_freqs.weight") != nil { flags |= AXSIM_FLAG_ROPE_FACTORS.rawValue }
        self.flags = flags
        func int(_ key: String) throws -> Int {
            guard let value = file.int("\(arch).\(key)") else { throw ConversionError.missingMetadata("\(arch).\(key)") }
            return value
        }
        architecture = arch
        hidden = try int("embedding_length")
        layerCount = try int("block_count")
        heads = try int("attention.head_count")
        kvHeads = file.int("\(arch).attention.head_count_kv") ?? heads
        headDim = file.int("\(arch).attention.key_length") ?? hidden / heads
        intermediate = try int("feed_forward_length")
        rmsNormEps = file.float("\(arch).attention.layer_norm_rms_epsilon") ?? 1e-5
        ropeTheta = file.float("\(arch).rope.freq_base") ?? 10000
        // The simulated layer rotates whole heads at unscaled frequencies (docs/simulated-axmodel.md).
        if let rotated = file.int("\(arch).rope.dimension_count"), rotated != headDim {
            throw ConversionError.unsupportedRoPE("RoPE on \(rotated) of \(headDim) head dimensions")
        }
        if let type = file.string("\(arch).rope.scaling.type"), type != "none" {
            throw ConversionError.unsupportedRoPE("RoPE scaling \(type)")
        }
        guard let embedding = file.tensor(named: "token_embd.weight"), embedding.dimensions.count == 2 else {
            throw ConversionError.missingTensor("token_embd.weight")
        }
        guard embedding.dimensions[0] == hidden else {
            throw ConversionError.unexpectedShape(tensor: "token_embd.weight", dimensions: embedding.dimensions,
                                                  expected: [hidden, embedding.dimensions[1]])
        }
        vocabularySize = embedding.dimensions[1]
    }
}
