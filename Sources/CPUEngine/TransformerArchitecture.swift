/// The llama-like model families the forward pass runs, named by GGUF `general.architecture`.
/// They share one block structure and differ in a few switches (llama.cpp llama-arch.cpp,
/// llama-model.cpp: the per-architecture tensor lists and `llama_model_rope_type`).
enum TransformerArchitecture: String, CaseIterable {
    case llama
    case qwen2
    case qwen3

    /// How RoPE pairs the dimensions of a head: llama's GGUF Q/K weights are permuted for
    /// adjacent pairs (LLAMA_ROPE_TYPE_NORM); Qwen rotates the two halves (LLAMA_ROPE_TYPE_NEOX).
    var ropePairing: RotaryEmbedding.Pairing {
        switch self {
        case .llama: return .adjacent
        case .qwen2, .qwen3: return .halves
        }
    }

    /// Qwen2 adds a bias to the query, key and value projections (`blk.N.attn_{q,k,v}.bias`).
    var hasProjectionBiases: Bool { self == .qwen2 }

    /// Qwen3 RMS-normalises each query and key head before RoPE (`blk.N.attn_{q,k}_norm.weight`).
    var hasQueryKeyNorm: Bool { self == .qwen3 }
}
