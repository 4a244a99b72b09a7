import AXCL
import AXCLSimulatorInterface
import Foundation
import GGUF
import NPUEngine
import SimulatedAXModel

/// How a simulated model carries its weight matrices.
public enum SimulatedWeightEncoding: String, Sendable, CaseIterable {
    /// The GGUF's own encoding where the simulator computes with it (Q4_0, Q4_1, Q8_0, Q4_K, Q5_K,
    /// Q6_K blocks, F32, F16, BF16), so that the simulator runs the CPU engine's kernels on the same bits; other
    /// types are dequantized to bf16.
    case asInGGUF
    /// Every matrix dequantized to bf16, as the vendor's bf16 packages carry their weights.
    case bf16
}

/// Builds the simulated `.axmodel` of one decoder layer and of the post model from GGUF tensors:
/// matrices in the chosen encoding, norms and biases in f32.
struct SimulatedLayerModels {
    let file: GGUFFile
    let source: SourceModel
    let ladder: ShapeGroupLadder
    let compilerVersion: String
    let weights: SimulatedWeightEncoding
    let activations: FloatIOType
    let logits: FloatIOType

    static let uint32 = UInt32(EngineDataType.uint32.rawValue) // axclrtEngineDataType codes (axera.md §1.7)

    /// The simulated-model data type that stores `type` unchanged (docs/simulated-axmodel.md).
    static func storedDataType(of type: GGMLType) -> UInt32? {
        switch type {
        case .f32: return 15
        case .f16: return 13
        case .bf16: return 14
        case .q4_0: return AXSIM_TENSOR_Q4_0.rawValue
        case .q4_1: return AXSIM_TENSOR_Q4_1.rawValue
        case .q5_0: return AXSIM_TENSOR_Q5_0.rawValue
        case .q5_1: return AXSIM_TENSOR_Q5_1.rawValue
        case .q8_0: return AXSIM_TENSOR_Q8_0.rawValue
        case .q4_K: return AXSIM_TENSOR_Q4_K.rawValue
        case .q5_K: return AXSIM_TENSOR_Q5_K.rawValue
        case .q6_K: return AXSIM_TENSOR_Q6_K.rawValue
        default: return nil
        }
    }

    func tensor(_ name: String, rows: Int, columns: Int?) throws -> SimulatedModelWriter.Tensor {
        guard let info = file.tensor(named: name) else { throw ConversionError.missingTensor(name) }
        // GGUF lists ne[0] (the contiguous input dimension) first: [columns, rows] is a row-major [rows, columns].
        let expected = columns.map { [$0, rows] } ?? [rows]
        guard info.dimensions == expected else {
            throw ConversionError.unexpectedShape(tensor: name, dimensions: info.dimensions, expected: expected)
        }
        let dims = columns.map { [Int32(rows), Int32($0)] } ?? [Int32(rows)]
        if columns != nil, weights == .asInGGUF, let dataType = Self.storedDataType(of: info.type) {
            return SimulatedModelWriter.Tensor(name: name, dims: dims, dataType: dataType, payload: Data(file.bytes(of: info)))
        }
        let values = try WeightDequantization.floats(of: info, in: file)
        return SimulatedModelWriter.Tensor(name: name, dims: dims, values: values, bf16: columns != nil)
    }

    func layer(_ index: Int) throws -> SimulatedModelWriter {
        let s = source, prefix = "blk.\(index)."
        var writer = SimulatedModelWriter(kind: AXSIM_MODEL_DECODER_LAYER, hidden: UInt32(s.hidden))
        writer.heads = UInt32(s.heads)
        writer.kvHeads = UInt32(s.kvHeads)
        writer.headDim = UInt32(s.headDim)
        writer.intermediate = UInt32(s.intermediate)
        writer.rmsNormEps = s.rmsNormEps
        writer.ropeTheta = s.ropeTheta
        writer.flags = s.flags
        writer.compilerVersion = compilerVersion
        let q = s.heads * s.headDim, kv = s.kvWidth
        var tensors = [
            try tensor(prefix + "attn_norm.weight", rows: s.hidden, columns: nil),
            try tensor(prefix + "attn_q.weight", rows: q, columns: s.hidden),
            try tensor(prefix + "attn_k.weight", rows: kv, columns: s.hidden),
            try tensor(prefix + "attn_v.weight", rows: kv, columns: s.hidden),
            try tensor(prefix + "attn_output.weight", rows: s.hidden, columns: q),
            try tensor(prefix + "ffn_norm.weight", rows: s.hidden, columns: nil),
            try tensor(prefix + "ffn_gate.weight", rows: s.intermediate, columns: s.hidden),
            try tensor(prefix + "ffn_up.weight", rows: s.intermediate, columns: s.hidden),
            try tensor(prefix + "ffn_down.weight", rows: s.hidden, columns: s.intermediate),
        ]
        if s.flags & AXSIM_FLAG_QKV_BIAS.rawValue != 0 {
            tensors += [try tensor(prefix + "attn_q.bias", rows: q, columns: nil),
                        try tensor(prefix + "attn_k.bias", rows: kv, columns: nil),
                        try tensor(prefix + "attn_v.bias", rows: kv, columns: nil)]
        }
        if s.flags & AXSIM_FLAG_QK_NORM.rawValue != 0 {
            tensors += [try tensor(prefix + "attn_q_norm.weight", rows: s.headDim, columns: nil),
                        try tensor(prefix + "attn_k_norm.weight", rows: s.headDim, columns: nil)]
        }
        if s.flags & AXSIM_FLAG_ROPE_FACTORS.rawValue != 0 {
            // One model-wide tensor, carried by every layer model that rotates with it.
            tensors.append(try tensor("rope_freqs.weight", rows: s.headDim / 2, columns: nil))
        }
        // The simulator finds tensors by their names without the block prefix.
        writer.tensors = tensors.map { var t = $0; if t.name.hasPrefix(prefix) { t.name = String(t.name.dropFirst(prefix.count)) }; return t }
        let groups = ladder.groups
        let h = Int32(s.hidden), kvw = Int32(kv)
        func shapes(_ shape: (Int32, Int32) -> [Int32]) -> [[Int32]] { groups.map { shape(Int32($0.rows), Int32($0.history)) } }
        // IO exactly as the vendor's layer engines (axera.md §3.4), in the chosen data type (bf16 by default).
        let float = UInt32(activations.dataType.rawValue)
        writer.inputs = [
            .init(name: "K_cache", dataType: float, shapes: shapes { _, H in [1, H, kvw] }),
            .init(name: "V_cache", dataType: float, shapes: shapes { _, H in [1, H, kvw] }),
            .init(name: "indices", dataType: Self.uint32, shapes: shapes { m, _ in [1, m] }),
            .init(name: "input", dataType: float, shapes: shapes { m, _ in [1, m, h] }),
            .init(name: "mask", dataType: float, shapes: shapes { m, H in [1, m, H + m] }),
        ]
        writer.outputs = [
            .init(name: "K_cache_out", dataType: float, shapes: shapes { m, _ in [1, m, kvw] }),
            .init(name: "V_cache_out", dataType: float, shapes: shapes { m, _ in [1, m, kvw] }),
            .init(name: "output", dataType: float, shapes: shapes { m, _ in [1, m, h] }),
        ]
        return writer
    }

    /// Final norm and LM head; models with tied embeddings reuse `token_embd.weight`.
    func post() throws -> SimulatedModelWriter {
        let s = source
        var writer = SimulatedModelWriter(kind: AXSIM_MODEL_POST, hidden: UInt32(s.hidden))
        writer.vocab = UInt32(s.vocabularySize)
        writer.rmsNormEps = s.rmsNormEps
        writer.compilerVersion = compilerVersion
        let head = file.tensor(named: "output.weight") != nil ? "output.weight" : "token_embd.weight"
        var lmHead = try tensor(head, rows: s.vocabularySize, columns: s.hidden)
        lmHead.name = "output.weight"
        writer.tensors = [try tensor("output_norm.weight", rows: s.hidden, columns: nil), lmHead]
        writer.inputs = [.init(name: "input", dataType: UInt32(activations.dataType.rawValue), shapes: [[1, 1, Int32(s.hidden)]])]
        writer.outputs = [.init(name: "output", dataType: UInt32(logits.dataType.rawValue), shapes: [[1, 1, Int32(s.vocabularySize)]])]
        return writer
    }
}
