import Foundation
import GGUF
import Testing
import TestSupport
@testable import CPUEngine

/// The kernels on real weights rather than random bits: every matrix of a model file, a few row
/// ranges of each, through this build's kernel path and through the portable scalar path.
///
/// Bound: |selected − scalar| ≤ 1e-6 · Σ|w·a| + 1e-6 for each product, Σ|w·a| being the sum of
/// its terms' magnitudes (both paths form the same integer sums; only the f32 accumulation order
/// differs). The scalar path must also meet 1e-5 · Σ|w·a| + 1e-6 against the Swift reference
/// (RowDequantizer, summed in Double), whose f32 dequantized weights round a little more.
@Suite struct RealTensorKernelTests {
    static let pathBound = 1e-6, referenceBound = 1e-5

    /// What one model's check measured, for the log and the expectations.
    struct Outcome {
        var formats: [GGMLType: Int] = [:]  // format → tensors checked
        var worstPathRatio = 0.0  // worst |selected − scalar| over its bound
        var worstReferenceRatio = 0.0  // worst |scalar − reference| over its bound
        var failures: [String] = []
    }

    /// Checks every tensor of `file` whose format has a kernel: 2-D matrices, and 1-D f32
    /// vectors (norm weights) as one-row matrices. Rows: 16 at the start, middle and end.
    static func checkTensors(of file: GGUFFile, tokens: Int, seed: UInt64) -> Outcome {
        var outcome = Outcome()
        var random = SeededRandom(seed: seed)
        for info in file.tensors where MatrixKernelTests.types.contains(info.type) {
            guard info.dimensions.count <= 2, info.rowLength % max(32, info.type.blockSize) == 0 else { continue }
            let rows = info.rowCount, columns = info.rowLength
            let weight = WeightMatrix(name: info.name, type: info.type, rows: rows, columns: columns,
                                      base: file.bytes(of: info).baseAddress!)
            let activations = random.floats(tokens * columns, in: -3...3)
            let input = MatmulInput(capacity: tokens * columns)
            var selected = [Float](repeating: .nan, count: tokens * rows), scalar = selected
            let ranges = Set([0, rows / 2, max(0, rows - 16)]).map { $0..<min(rows, $0 + 16) }
            activations.withUnsafeBufferPointer { x in
                input.set(x.baseAddress!, tokens: tokens, columns: columns)
                prepare(input, for: weight)
                for range in ranges {
                    selected.withUnsafeMutableBufferPointer {
                        multiplyRows(weight, input, rows: range, into: $0.baseAddress!, outStride: rows)
                    }
                    scalar.withUnsafeMutableBufferPointer {
                        multiplyRowsOnScalarPath(weight, input, rows: range, into: $0.baseAddress!, outStride: rows)
                    }
                }
                for range in ranges {
                    for r in range {
                        for t in 0..<tokens {
                            let reference = referenceProduct(weight, row: r, input: input, token: t)
                            let fast = Double(selected[t * rows + r]), portable = Double(scalar[t * rows + r])
                            let pathRatio = abs(fast - portable) / (pathBound * reference.magnitude + 1e-6)
                            let referenceRatio = abs(portable - reference.value) / (referenceBound * reference.magnitude + 1e-6)
                            outcome.worstPathRatio = max(outcome.worstPathRatio, pathRatio.isNaN ? .infinity : pathRatio)
                            outcome.worstReferenceRatio = max(outcome.worstReferenceRatio, referenceRatio.isNaN ? .infinity : referenceRatio)
                            if !(pathRatio <= 1 && referenceRatio <= 1), outcome.failures.count < 10 {
                                outcome.failures.append("\(info.name) (\(info.type.name)) row \(r) token \(t): "
                                    + "selected \(fast), scalar \(portable), reference \(reference.value)")
                            }
                        }
                    }
                }
            }
            outcome.formats[info.type, default: 0] += 1
        }
        return outcome
    }

    static func report(_ name: String, _ outcome: Outcome) {
        let formats = outcome.formats.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.name) ×\($0.value)" }.joined(separator: ", ")
        print("[real tensors] \(name) on \(CPUEngine.kernelPath): \(formats); worst |selected − scalar| "
            + String(format: "%.3f", outcome.worstPathRatio) + " of its bound, worst |scalar − reference| "
            + String(format: "%.3f", outcome.worstReferenceRatio) + " of its bound")
    }

    /// SmolLM2-135M Q4_1: Q4_1 matrices, the Q8_0 token embedding (also the output matrix) and
    /// f32 norm weights.
    @Test(.enabled(if: TestModels.hasDefaultModel, "needs the default model (AXLLAMA_TEST_MODEL or the model store)"),
          arguments: [1, 5])
    func kernelsMatchScalarPathOnDefaultModelTensors(tokens: Int) throws {
        let file = try GGUFFile(path: try #require(TestModels.defaultModelURL()).path)
        let outcome = Self.checkTensors(of: file, tokens: tokens, seed: 900 + UInt64(tokens))
        Self.report("default model, \(tokens) token(s)", outcome)
        #expect(outcome.failures.isEmpty, "\(outcome.failures.joined(separator: "\n"))")
        #expect(Set(outcome.formats.keys).isSuperset(of: [.q4_1, .q8_0, .f32]),
                "the default model's formats were not all checked: \(outcome.formats)")
    }

    /// No K-quant file can be made from the default model here (llama.cpp's re-quantizer is not
    /// available), so the K-quant real-tensor case is the architecture fixtures' `qwen3-kquants`
    /// (Q4_K, Q5_K, Q6_K as a Q4_K_M file mixes them); the other fixtures add F16, BF16, Q4_0,
    /// Q5_0 and Q5_1. Their weights come from scripts/make-arch-fixtures.py (`make fixtures`).
    @Test(arguments: ["qwen3-kquants", "qwen3", "qwen2", "llama3"])
    func kernelsMatchScalarPathOnFixtureTensors(fixture: String) throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/architectures/\(fixture)", withExtension: "gguf"),
                               "fixture \(fixture).gguf is missing: run `make fixtures` (scripts/make-arch-fixtures.py --models-only)")
        let file = try GGUFFile(path: url.path)
        for tokens in [1, 5] {
            let outcome = Self.checkTensors(of: file, tokens: tokens, seed: 700 + UInt64(tokens))
            Self.report("\(fixture), \(tokens) token(s)", outcome)
            #expect(outcome.failures.isEmpty, "\(outcome.failures.joined(separator: "\n"))")
            if fixture == "qwen3-kquants" {
                #expect(Set(outcome.formats.keys).isSuperset(of: [.q4_K, .q5_K, .q6_K]), "\(outcome.formats)")
            }
        }
    }
}
