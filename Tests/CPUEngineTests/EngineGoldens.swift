import Foundation
import GGUF
import TestSupport

/// llama.cpp's greedy continuations with top-k logits per position, written by
/// scripts/make-engine-goldens.py.
struct EngineGoldens: Decodable {
    struct Model: Decodable {
        let file_bytes: Int
        let n_vocab: Int
    }
    struct Position: Decodable {
        let ids: [Int32]
        let logits: [Float]
        let gap: Float
    }
    struct Case: Decodable {
        let kind: String
        let prompt_ids: [Int32]
        let continuation_ids: [Int32]
        /// positions[0] follows the prompt; positions[i] follows continuation token i-1.
        let positions: [Position]
    }
    let model: Model
    let cases: [Case]

    static let shared: EngineGoldens? = {
        guard let url = Bundle.module.url(forResource: "Fixtures/engine-goldens", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(EngineGoldens.self, from: data)
    }()

    /// The model the goldens were made from, when the test environment provides that file.
    static var modelFile: GGUFFile? {
        guard let goldens = shared, let url = TestModels.defaultModelURL(),
              let size = try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int,
              size == goldens.model.file_bytes else { return nil }
        return try? GGUFFile(path: url.path)
    }

    static var isUsable: Bool { modelFile != nil }
}

/// Running comparison of our logits against the goldens.
struct GoldenComparison {
    var positions = 0
    var clearPositions = 0
    var top1Mismatches: [String] = []
    var maxLogitDifference: Float = 0
    var worstPosition = ""
    /// Per position, the largest difference over its top-k tokens.
    var differences: [Float] = []

    var medianDifference: Float { differences.sorted()[differences.count / 2] }

    mutating func compare(_ logits: [Float], with golden: EngineGoldens.Position, label: String) {
        positions += 1
        let difference = zip(golden.ids, golden.logits).map { abs(logits[Int($0)] - $1) }.max()!
        differences.append(difference)
        if difference > maxLogitDifference {
            maxLogitDifference = difference
            worstPosition = label
        }
        guard golden.gap > 0.5 else { return }  // near-ties legitimately flip between engines
        clearPositions += 1
        let ours = logits.indices.max { logits[$0] < logits[$1] }!
        if ours != Int(golden.ids[0]) {
            top1Mismatches.append("\(label): ours \(ours), llama.cpp \(golden.ids[0]) (gap \(golden.gap))")
        }
    }
}
