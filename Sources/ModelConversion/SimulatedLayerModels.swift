import AXCLSimulatorInterface
import GGUF
import SimulatedAXModel

/// Builds the simulated `.axmodel` of one decoder layer and of the post model from GGUF tensors:
/// matrices dequantized to bf16 as the vendor's bf16 packages carry them, norms and biases in f32.
struct SimulatedLayerModels {
    let file: GGUFFile
    let source: SourceModel
    let ladder: ShapeGroupLadder
    let compilerVersion: String

    static let bf16: UInt32 = 14, uint32: UInt32 = 8 // axclrtEngineDataType codes (axera.md §1.7)

    func tensor(_ name: String, rows: Int, columns: Int?) throws -> SimulatedModelWriter.Tensor {
        guard let info = file.tensor(named: name) else { throw ConversionError.missingTensor(name) }
        // GGUF lists ne[0] (the contiguous input dimension) first: [columns, rows] is a row-major [rows, columns].
        let expected = columns.map { [$0, rows] } ?? [rows]
        guard info.dimensions == expected else {
            throw ConversionError.unexpectedShape(tensor: name, dimensions: info.dimensions, expected: expected)
        }
        let values = try WeightDequantization.floats(of: info, in: file)
        let dims = columns.map { [Int32(rows), Int32($0)] } ?? [Int32(rows)]
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
        // The simulator finds tensors by their names without the block prefix.
        writer.tensors = tensors.map { var t = $0; t.name = String(t.name.dropFirst(prefix.count)); return t }
        let groups = ladder.groups
        let h = Int32(s.hidden), kvw = Int32(kv)
        func shapes(_ shape: (Int32, Int32) -> [Int32]) -> [[Int32]] { groups.map { shape(Int32($0.rows), Int32($0.history)) } }
        // IO exactly as the vendor's layer engines (axera.md §3.4).
        writer.inputs = [
            .init(name: "K_cache", dataType: Self.bf16, shapes: shapes { _, H in [1, H, kvw] }),
            .init(name: "V_cache", dataType: Self.bf16, shapes: shapes { _, H in [1, H, kvw] }),
            .init(name: "indices", dataType: Self.uint32, shapes: shapes { m, _ in [1, m] }),
            .init(name: "input", dataType: Self.bf16, shapes: shapes { m, _ in [1, m, h] }),
            .init(name: "mask", dataType: Self.bf16, shapes: shapes { m, H in [1, m, H + m] }),
        ]
        writer.outputs = [
            .init(name: "K_cache_out", dataType: Self.bf16, shapes: shapes { m, _ in [1, m, kvw] }),
            .init(name: "V_cache_out", dataType: Self.bf16, shapes: shapes { m, _ in [1, m, kvw] }),
            .init(name: "output", dataType: Self.bf16, shapes: shapes { m, _ in [1, m, h] }),
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
        writer.inputs = [.init(name: "input", dataType: Self.bf16, shapes: [[1, 1, Int32(s.hidden)]])]
        writer.outputs = [.init(name: "output", dataType: Self.bf16, shapes: [[1, 1, Int32(s.vocabularySize)]])]
        return writer
    }
}
