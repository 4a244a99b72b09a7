import EngineInterface
import Foundation
import GGUF
import Testing
@testable import CPUEngine

/// Golden logits of a tiny random-weight fixture, written with it by scripts/make-arch-fixtures.py.
private struct ArchitectureGoldens: Decodable {
    struct Sequence: Decodable {
        let ids: [Int32]
        /// logits[p] follows ids[0...p]
        let logits: [[Float]]
        let gaps: [Float]
    }
    let vocab: Int
    let sequences: [Sequence]
}

private func fixtureURL(_ name: String, _ suffix: String) throws -> URL {
    try #require(Bundle.module.url(forResource: "Fixtures/architectures/\(name)", withExtension: suffix),
                 "fixture \(name).\(suffix) is missing: run `make fixtures` (scripts/make-arch-fixtures.py --models-only)")
}

/// Each architecture's fixture, teacher-forced through the engine and compared with llama.cpp at
/// every position: half of each sequence as one batch (the prefill path), the rest one token at a
/// time (the decode path).
@Suite struct ArchitectureGoldenTests {
    struct Fixture: CustomTestStringConvertible, Sendable {
        let name: String
        let architecture: String
        /// Bound on max |Δlogit| over every logit of every position, about 1.5 × the measured
        /// difference. The goldens use an f32 KV cache; what remains is llama.cpp rounding the
        /// activations of F16 weights to f16, of BF16 weights to bf16, and the scales of its int8
        /// activations to f16, where the engine keeps f32. (Leaving out Llama 3's RoPE factors
        /// moves the llama3 fixture by 4.5.)
        let tolerance: Float
        var testDescription: String { name }
    }

    static let fixtures = [
        Fixture(name: "qwen2", architecture: "qwen2", tolerance: 0.17),  // measured 0.112
        Fixture(name: "qwen3", architecture: "qwen3", tolerance: 0.22),  // measured 0.144
        Fixture(name: "llama3", architecture: "llama", tolerance: 0.22),  // measured 0.149
        Fixture(name: "qwen3-kquants", architecture: "qwen3", tolerance: 0.12),  // measured 0.075
    ]
    /// Positions whose top-1 must agree: llama.cpp's top two differ by more than twice the
    /// largest tolerance, so no rounding within the bounds can swap them.
    static let clearMargin: Float = 0.55

    @Test(arguments: fixtures)
    func logitsMatchLlamaCpp(fixture: Fixture) throws {
        let file = try GGUFFile(path: try fixtureURL(fixture.name, "gguf").path)
        let goldens = try JSONDecoder().decode(ArchitectureGoldens.self,
                                               from: Data(contentsOf: try fixtureURL(fixture.name, "goldens.json")))
        let engine = try CPUEngine(file: file, contextLength: 128, threads: 2, batchSize: 16)
        #expect(engine.descriptor.architecture == fixture.architecture)
        #expect(engine.descriptor.vocabularySize == goldens.vocab)

        var maxDifference: Float = 0, positions = 0, clear = 0
        var mismatches: [String] = []
        for (s, sequence) in goldens.sequences.enumerated() {
            engine.truncate(to: 0)
            let batch = sequence.ids.count / 2
            func check(_ logits: [Float], position p: Int) {
                let golden = sequence.logits[p]
                maxDifference = max(maxDifference, zip(logits, golden).map { abs($0 - $1) }.max()!)
                positions += 1
                if sequence.gaps[p] > Self.clearMargin {
                    clear += 1
                    let ours = logits.indices.max { logits[$0] < logits[$1] }!
                    let theirs = golden.indices.max { golden[$0] < golden[$1] }!
                    if ours != theirs { mismatches.append("sequence \(s) position \(p): \(ours) vs \(theirs)") }
                }
            }
            check(try engine.evaluate(Array(sequence.ids[..<batch]), at: 0).values, position: batch - 1)
            for p in batch..<sequence.ids.count {
                check(try engine.evaluate([sequence.ids[p]], at: p).values, position: p)
            }
        }
        print("[arch goldens] \(fixture.name): \(positions) positions, max |Δlogit| \(maxDifference), "
              + "top-1 agrees at \(clear - mismatches.count)/\(clear) positions with a gap > \(Self.clearMargin)")
        #expect(maxDifference < fixture.tolerance)
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test func llama3FrequencyFactorsAreReadFromTheFile() throws {
        let file = try GGUFFile(path: try fixtureURL("llama3", "gguf").path)
        let shape = try LlamaHyperparameters(file: file)
        let weights = try LlamaWeights(file: file, shape: shape)
        let factors = try #require(weights.ropeFrequencyFactors)
        #expect(factors.count == shape.ropeDimensionCount / 2)
        // the fastest pair keeps its frequency, the slowest is slowed by the full factor of 8
        #expect(factors.first == 1 && factors.last == 8)
    }

    @Test func architectureSwitchesFollowTheGGUFMetadata() throws {
        for (name, architecture) in [("qwen2", TransformerArchitecture.qwen2), ("qwen3", .qwen3), ("llama3", .llama)] {
            let file = try GGUFFile(path: try fixtureURL(name, "gguf").path)
            let shape = try LlamaHyperparameters(file: file)
            let layer = try LlamaWeights(file: file, shape: shape).layers[0]
            #expect(shape.architecture == architecture)
            #expect((layer.queryBias != nil) == (architecture == .qwen2))
            #expect((layer.queryNorm != nil) == (architecture == .qwen3))
        }
        // qwen3's heads are wider than embedding / heads (32 vs 64 / 4)
        let qwen3 = try LlamaHyperparameters(file: GGUFFile(path: try fixtureURL("qwen3", "gguf").path))
        #expect(qwen3.headDimension == 32 && qwen3.queryWidth == 128)
    }
}
