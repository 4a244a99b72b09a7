import AXCLSimulatorInterface
import SimulatedAXModel
import Foundation

/// A decoder layer small enough to check by hand-written reference math, with random weights.
struct TinyLayer {
    let hidden = 16, heads = 4, kvHeads = 2, headDim = 4, intermediate = 24
    let eps: Float = 1e-5, theta: Float = 10000
    var flags: UInt32 = 0
    /// (rows m, history H) per shape group; group 0 is the decode group.
    var groups: [(rows: Int, history: Int)] = [(1, 16), (8, 1), (8, 16)]
    var weights: [String: [Float]] = [:]

    var qDim: Int { heads * headDim }
    var kvDim: Int { kvHeads * headDim }

    init(flags: UInt32 = 0, seed: UInt64 = 7) {
        self.flags = flags
        var random = SeededGenerator(state: seed)
        let h = hidden
        weights["attn_norm.weight"] = (0 ..< h).map { _ in Float.random(in: 0.5 ... 1.5, using: &random) }
        weights["attn_q.weight"] = random.values(qDim * h, scale: 0.4)
        weights["attn_k.weight"] = random.values(kvDim * h, scale: 0.4)
        weights["attn_v.weight"] = random.values(kvDim * h, scale: 0.4)
        weights["attn_output.weight"] = random.values(h * qDim, scale: 0.3)
        weights["ffn_norm.weight"] = (0 ..< h).map { _ in Float.random(in: 0.5 ... 1.5, using: &random) }
        weights["ffn_gate.weight"] = random.values(intermediate * h, scale: 0.3)
        weights["ffn_up.weight"] = random.values(intermediate * h, scale: 0.3)
        weights["ffn_down.weight"] = random.values(h * intermediate, scale: 0.3)
        if flags & AXSIM_FLAG_QKV_BIAS.rawValue != 0 {
            weights["attn_q.bias"] = random.values(qDim, scale: 0.2)
            weights["attn_k.bias"] = random.values(kvDim, scale: 0.2)
            weights["attn_v.bias"] = random.values(kvDim, scale: 0.2)
        }
        if flags & AXSIM_FLAG_QK_NORM.rawValue != 0 {
            weights["attn_q_norm.weight"] = (0 ..< headDim).map { _ in Float.random(in: 0.5 ... 1.5, using: &random) }
            weights["attn_k_norm.weight"] = (0 ..< headDim).map { _ in Float.random(in: 0.5 ... 1.5, using: &random) }
        }
    }

    func dims(of name: String) -> [Int32] {
        let h = Int32(hidden), q = Int32(qDim), kv = Int32(kvDim), i = Int32(intermediate)
        switch name {
        case "attn_norm.weight", "ffn_norm.weight": return [h]
        case "attn_q.weight": return [q, h]
        case "attn_k.weight", "attn_v.weight": return [kv, h]
        case "attn_output.weight": return [h, q]
        case "ffn_gate.weight", "ffn_up.weight": return [i, h]
        case "ffn_down.weight": return [h, i]
        case "attn_q.bias": return [q]
        case "attn_k.bias", "attn_v.bias": return [kv]
        default: return [Int32(headDim)] // q/k norms
        }
    }

    /// Tensor names and layouts as axera.md §3.4 lists them; `bf16Weights` stores matrices as bf16.
    func writer(bf16Weights: Bool = false) -> SimulatedModelWriter {
        let bf16: UInt32 = 14, uint32: UInt32 = 8
        let h = Int32(hidden), kv = Int32(kvDim)
        let m = groups.map { Int32($0.rows) }, H = groups.map { Int32($0.history) }
        var writer = SimulatedModelWriter(kind: AXSIM_MODEL_DECODER_LAYER, hidden: UInt32(hidden))
        writer.compilerVersion = "axsim-test 1"
        writer.heads = UInt32(heads)
        writer.kvHeads = UInt32(kvHeads)
        writer.headDim = UInt32(headDim)
        writer.intermediate = UInt32(intermediate)
        writer.rmsNormEps = eps
        writer.ropeTheta = theta
        writer.flags = flags
        writer.inputs = [
            .init(name: "K_cache", dataType: bf16, shapes: groups.indices.map { [1, H[$0], kv] }),
            .init(name: "V_cache", dataType: bf16, shapes: groups.indices.map { [1, H[$0], kv] }),
            .init(name: "indices", dataType: uint32, shapes: groups.indices.map { [1, m[$0]] }),
            .init(name: "input", dataType: bf16, shapes: groups.indices.map { [1, m[$0], h] }),
            .init(name: "mask", dataType: bf16, shapes: groups.indices.map { [1, m[$0], H[$0] + m[$0]] }),
        ]
        writer.outputs = [
            .init(name: "K_cache_out", dataType: bf16, shapes: groups.indices.map { [1, m[$0], kv] }),
            .init(name: "V_cache_out", dataType: bf16, shapes: groups.indices.map { [1, m[$0], kv] }),
            .init(name: "output", dataType: bf16, shapes: groups.indices.map { [1, m[$0], h] }),
        ]
        writer.tensors = weights.keys.sorted().map { name in
            .init(name: name, dims: dims(of: name), values: weights[name]!, bf16: bf16Weights && dims(of: name).count == 2)
        }
        return writer
    }

    /// The block computed independently in Swift: RMSNorm, q/k/v (+bias, +per-head norm), RoPE,
    /// masked attention over [cache rows, chunk rows], output projection, SwiGLU MLP, residuals.
    func reference(input: [Float], kCache: [Float], vCache: [Float], mask: [Float], positions: [Int], history: Int,
                   weightsAsStored: [String: [Float]]) -> (k: [Float], v: [Float], output: [Float]) {
        let m = positions.count, w = weightsAsStored
        func matmul(_ name: String, _ x: [Float], rows: Int, cols: Int) -> [Float] {
            var y = [Float](repeating: 0, count: m * rows)
            for t in 0 ..< m { for r in 0 ..< rows { var s: Float = 0; for c in 0 ..< cols { s += w[name]![r * cols + c] * x[t * cols + c] }; y[t * rows + r] = s } }
            return y
        }
        func norm(_ x: [Float], _ weight: [Float], width: Int) -> [Float] {
            var out = x
            for start in stride(from: 0, to: x.count, by: width) {
                let ms = x[start ..< start + width].reduce(0) { $0 + $1 * $1 } / Float(width)
                let scale = 1 / (ms + eps).squareRoot()
                for i in 0 ..< width { out[start + i] = x[start + i] * scale * weight[i] }
            }
            return out
        }
        func rotate(_ v: inout [Float], at start: Int, position: Int) {
            let neox = flags & AXSIM_FLAG_ROPE_NEOX.rawValue != 0
            for i in 0 ..< headDim / 2 {
                let angle = Float(position) * pow(theta, -2 * Float(i) / Float(headDim))
                let (a, b) = neox ? (start + i, start + i + headDim / 2) : (start + 2 * i, start + 2 * i + 1)
                let (x0, x1) = (v[a], v[b])
                v[a] = x0 * cos(angle) - x1 * sin(angle)
                v[b] = x0 * sin(angle) + x1 * cos(angle)
            }
        }
        let xn = norm(input, w["attn_norm.weight"]!, width: hidden)
        var q = matmul("attn_q.weight", xn, rows: qDim, cols: hidden)
        var k = matmul("attn_k.weight", xn, rows: kvDim, cols: hidden)
        var v = matmul("attn_v.weight", xn, rows: kvDim, cols: hidden)
        if let b = w["attn_q.bias"] { for i in q.indices { q[i] += b[i % qDim] } }
        if let b = w["attn_k.bias"] { for i in k.indices { k[i] += b[i % kvDim] } }
        if let b = w["attn_v.bias"] { for i in v.indices { v[i] += b[i % kvDim] } }
        if let qn = w["attn_q_norm.weight"], let kn = w["attn_k_norm.weight"] {
            q = norm(q, qn, width: headDim)
            k = norm(k, kn, width: headDim)
        }
        for t in 0 ..< m {
            for head in 0 ..< heads { rotate(&q, at: t * qDim + head * headDim, position: positions[t]) }
            for head in 0 ..< kvHeads { rotate(&k, at: t * kvDim + head * headDim, position: positions[t]) }
        }
        k = k.map(\.bf16Rounded)
        v = v.map(\.bf16Rounded)
        var attention = [Float](repeating: 0, count: m * qDim)
        let span = history + m
        for t in 0 ..< m {
            for head in 0 ..< heads {
                let g = head / (heads / kvHeads)
                var scores = [Float](repeating: 0, count: span)
                for j in 0 ..< span {
                    let key: (Int) -> Float = j < history ? { kCache[j * kvDim + g * headDim + $0] } : { k[(j - history) * kvDim + g * headDim + $0] }
                    var s: Float = 0
                    for d in 0 ..< headDim { s += q[t * qDim + head * headDim + d] * key(d) }
                    scores[j] = s / Float(headDim).squareRoot() + mask[t * span + j]
                }
                let top = scores.max()!
                let e = scores.map { exp($0 - top) }
                let total = e.reduce(0, +)
                for j in 0 ..< span {
                    for d in 0 ..< headDim {
                        let value = j < history ? vCache[j * kvDim + g * headDim + d] : v[(j - history) * kvDim + g * headDim + d]
                        attention[t * qDim + head * headDim + d] += e[j] / total * value
                    }
                }
            }
        }
        let projected = matmul("attn_output.weight", attention, rows: hidden, cols: qDim)
        let x1 = zip(input, projected).map(+)
        let xn2 = norm(x1, w["ffn_norm.weight"]!, width: hidden)
        let gate = matmul("ffn_gate.weight", xn2, rows: intermediate, cols: hidden)
        let up = matmul("ffn_up.weight", xn2, rows: intermediate, cols: hidden)
        let hiddenMLP = zip(gate, up).map { $0 / (1 + exp(-$0)) * $1 }
        let down = matmul("ffn_down.weight", hiddenMLP, rows: hidden, cols: intermediate)
        return (k, v, zip(x1, down).map(+))
    }
}

/// A post model: final RMSNorm and LM head.
struct TinyPost {
    let hidden = 16, vocab = 40
    let eps: Float = 1e-5
    var norm: [Float], head: [Float]

    init(seed: UInt64 = 11) {
        var random = SeededGenerator(state: seed)
        norm = (0 ..< hidden).map { _ in Float.random(in: 0.5 ... 1.5, using: &random) }
        head = random.values(vocab * hidden, scale: 0.5)
    }

    func writer() -> SimulatedModelWriter {
        var writer = SimulatedModelWriter(kind: AXSIM_MODEL_POST, hidden: UInt32(hidden))
        writer.compilerVersion = "axsim-test 1"
        writer.vocab = UInt32(vocab)
        writer.rmsNormEps = eps
        writer.inputs = [.init(name: "input", dataType: 14, shapes: [[1, 1, Int32(hidden)]])]
        writer.outputs = [.init(name: "output", dataType: 14, shapes: [[1, 1, Int32(vocab)]])]
        writer.tensors = [
            .init(name: "output_norm.weight", dims: [Int32(hidden)], values: norm),
            .init(name: "output.weight", dims: [Int32(vocab), Int32(hidden)], values: head),
        ]
        return writer
    }

    func reference(_ x: [Float]) -> [Float] {
        let ms = x.reduce(0) { $0 + $1 * $1 } / Float(hidden)
        let xn = x.indices.map { x[$0] / (ms + eps).squareRoot() * norm[$0] }
        return (0 ..< vocab).map { r in (0 ..< hidden).reduce(Float(0)) { $0 + head[r * hidden + $1] * xn[$1] } }
    }
}

/// A temporary directory removed when the value is released.
final class TemporaryDirectory: Sendable {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("axcl-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}
