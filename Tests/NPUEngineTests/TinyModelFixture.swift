import AXCL
import AXCLSimulatorSupport
import CPUEngine
import Foundation
import GGUF
import ModelConversion
import NPUEngine
import SimulatedAXModel

/// A small random-weight llama model as a GGUF file, converted into an NPU package: big enough to
/// exercise every shape group (P = 128, a 512-position context), small enough for the simulator
/// to run hundreds of chunks in seconds.
struct TinyModel {
    static let hidden = 64, heads = 4, kvHeads = 2, intermediate = 128, layers = 2, vocabulary = 96
    static let contextLength = 512, chunk = 128, historyStep = 128

    /// - Parameter bf16Embeddings: token embeddings rounded to bf16 values (still stored as f32),
    ///   so that a package's bf16 embedding file (axera.md §3.2) holds them exactly.
    static func gguf(layers: Int = layers, vocabulary: Int = vocabulary, seed: UInt64 = 5, bf16Embeddings: Bool = false) -> [UInt8] {
        var random = SplitMix(state: seed)
        func values(_ count: Int, scale: Float) -> [Float] { (0 ..< count).map { _ in Float.random(in: -scale ... scale, using: &random) } }
        func norm(_ count: Int) -> [Float] { (0 ..< count).map { _ in Float.random(in: 0.8 ... 1.2, using: &random) } }
        let h = hidden, kv = kvHeads * (hidden / heads)
        var writer = GGUFWriter()
        writer.add("general.architecture", .string("llama"))
        writer.add("general.name", .string("tiny"))
        writer.add("llama.embedding_length", .uint32(UInt32(h)))
        writer.add("llama.block_count", .uint32(UInt32(layers)))
        writer.add("llama.attention.head_count", .uint32(UInt32(heads)))
        writer.add("llama.attention.head_count_kv", .uint32(UInt32(kvHeads)))
        writer.add("llama.feed_forward_length", .uint32(UInt32(intermediate)))
        writer.add("llama.context_length", .uint32(2048))
        writer.add("llama.attention.layer_norm_rms_epsilon", .float32(1e-5))
        writer.add("llama.rope.freq_base", .float32(10000))
        writer.add("tokenizer.ggml.model", .string("gpt2"))
        writer.add("tokenizer.ggml.pre", .string("smollm"))
        // Letters and digits are single tokens, so short ASCII prompts tokenize without merges.
        let characters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789").map(String.init)
        writer.add("tokenizer.ggml.tokens", .array((0 ..< vocabulary).map { .string($0 < characters.count ? characters[$0] : "t\($0)") }))
        writer.add("tokenizer.ggml.merges", .array([]))
        writer.add("tokenizer.ggml.eos_token_id", .uint32(0))
        let embeddings = values(h * vocabulary, scale: 1)
        writer.add(tensor: "token_embd.weight", dimensions: [h, vocabulary],
                   floats: bf16Embeddings ? embeddings.map(\.bf16Rounded) : embeddings)
        for l in 0 ..< layers {
            let p = "blk.\(l)."
            writer.add(tensor: p + "attn_norm.weight", dimensions: [h], floats: norm(h))
            writer.add(tensor: p + "attn_q.weight", dimensions: [h, h], floats: values(h * h, scale: 0.3))
            writer.add(tensor: p + "attn_k.weight", dimensions: [h, kv], floats: values(h * kv, scale: 0.3))
            writer.add(tensor: p + "attn_v.weight", dimensions: [h, kv], floats: values(h * kv, scale: 0.3))
            writer.add(tensor: p + "attn_output.weight", dimensions: [h, h], floats: values(h * h, scale: 0.2))
            writer.add(tensor: p + "ffn_norm.weight", dimensions: [h], floats: norm(h))
            writer.add(tensor: p + "ffn_gate.weight", dimensions: [h, intermediate], floats: values(h * intermediate, scale: 0.2))
            writer.add(tensor: p + "ffn_up.weight", dimensions: [h, intermediate], floats: values(h * intermediate, scale: 0.2))
            writer.add(tensor: p + "ffn_down.weight", dimensions: [intermediate, h], floats: values(h * intermediate, scale: 0.2))
        }
        writer.add(tensor: "output_norm.weight", dimensions: [h], floats: norm(h))
        writer.add(tensor: "output.weight", dimensions: [h, vocabulary], floats: values(h * vocabulary, scale: 0.5))
        return writer.encoded()
    }

    /// The tiny model (with `layers` decoder layers) converted into `layout` inside `directory`,
    /// its IO and embedding table in the given data types.
    static func package(_ layout: NPUPackageLayout, in directory: TemporaryDirectory, layers: Int = layers,
                        activations: FloatIOType = .bf16, logits: FloatIOType = .bf16, embeddings: FloatIOType = .bf16) throws -> NPUModelPackage {
        let suffix = layers == Self.layers ? "" : "-\(layers)l"
        let ggufURL = directory.file("tiny\(suffix).gguf")
        if !FileManager.default.fileExists(atPath: ggufURL.path) { try Data(gguf(layers: layers)).write(to: ggufURL) }
        let file = try GGUFFile(path: ggufURL.path)
        let options = NPUPackageConverter.Options(layout: layout, contextLength: contextLength, chunk: chunk, historyStep: historyStep,
                                                  activations: activations, logits: logits, embeddings: embeddings)
        let types = (activations == .bf16 && logits == .bf16 ? "" : "-\(activations.rawValue)-\(logits.rawValue)")
            + (embeddings == .bf16 ? "" : "-\(embeddings.rawValue)-embeddings")
        return try NPUPackageConverter(file: file, options: options).write(to: directory.file("tiny-\(layout.rawValue)\(suffix)\(types)"))
    }

    /// Random prompt tokens (never the eos id 0).
    static func prompt(_ count: Int, seed: UInt64) -> [Int32] {
        var random = SplitMix(state: seed)
        return (0 ..< count).map { _ in Int32.random(in: 1 ..< Int32(vocabulary), using: &random) }
    }
}

extension TinyModel {
    /// The tokens fed at each call (a prompt crossing a chunk boundary, then four greedy tokens)
    /// and the CPU engine's logits after each: the reference the NPU path is compared with.
    static func cpuReference(_ file: GGUFFile) async throws -> (fed: [[Int32]], logits: [[Float]]) {
        let cpu = try CPUEngine(file: file, contextLength: contextLength)
        let prompt = TinyModel.prompt(140, seed: 21)
        var logits = [try await cpu.forward(prompt, at: 0).values], fed: [[Int32]] = [prompt]
        for step in 0 ..< 4 {
            let next = [Int32(argmax(logits.last!))]
            fed.append(next)
            logits.append(try await cpu.forward(next, at: prompt.count + step).values)
        }
        return (fed, logits)
    }

    /// The logits `package` computes on `card` after each call of `fed`, from an empty cache.
    static func logits(of package: NPUModelPackage, on card: SimulatedCard, fed: [[Int32]]) async throws -> [[Float]] {
        let engine = try await NPUEngine.load(package, on: card.device)
        var position = 0, all: [[Float]] = []
        for tokens in fed {
            all.append(try await engine.forward(tokens, at: position).values)
            position += tokens.count
        }
        try await engine.unload()
        return all
    }
}

/// The largest absolute difference between corresponding logits of two runs.
func largestDeviation(_ a: [[Float]], _ b: [[Float]]) -> Float {
    zip(a, b).map { zip($0, $1).map { abs($0 - $1) }.max() ?? .infinity }.max() ?? .infinity
}

/// A simulator in a fresh state with one opened card.
struct SimulatedCard {
    let library: AXCLLibrary
    let control: SimulatorControl
    let device: AXCLDevice

    static func open() async throws -> SimulatedCard {
        let (library, control) = try Simulator.fresh()
        let device = try await NPUCard.open(library: library)
        return SimulatedCard(library: library, control: control, device: device)
    }

    var executes: UInt64 { control.stats.executes }
}

/// A temporary directory removed when the value is released.
final class TemporaryDirectory: Sendable {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("npu-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func argmax(_ values: [Float]) -> Int {
    var best = 0
    for i in values.indices where values[i] > values[best] { best = i }
    return best
}

/// How many elements differ (arrays of different lengths differ everywhere), so that a failure
/// reports a count instead of printing thousands of values.
func differences<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
    guard a.count == b.count else { return max(a.count, b.count) }
    return zip(a, b).reduce(0) { $0 + ($1.0 == $1.1 ? 0 : 1) }
}
