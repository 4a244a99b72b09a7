import AXCLSimulatorSupport
import CPUEngine
import Foundation
import GGUF
import ModelConversion
import NPUEngine
import Testing

extension SimulatorBackedTests {
    /// The CPU engine's tiny qwen2 (QKV biases, F16 weights), qwen3 (per-head QK-norm, Q4_0/Q4_1/
    /// Q8_0/BF16/F16 weights), qwen3 with K-quant weights and Llama 3 (RoPE frequency factors)
    /// fixtures, converted into packages: on the simulated card they compute exactly the CPU
    /// engine's logits at card precision, through a prompt that spans a prefill chunk and its
    /// history group, and the greedy steps after it.
    @Suite(.enabled(if: Simulator.isAvailable)) struct ConvertedArchitectures {
        /// Written by scripts/make-arch-fixtures.py; kept with the CPU engine's golden tests.
        static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("CPUEngineTests/Fixtures/architectures")

        @Test(arguments: ["qwen2", "qwen3", "qwen3-kquants", "llama3"])
        func convertedFixtureComputesTheCPUEnginesLogitsAtCardPrecision(fixture: String) async throws {
            let url = Self.fixtures.appendingPathComponent("\(fixture).gguf")
            try #require(FileManager.default.fileExists(atPath: url.path), "fixture \(url.path) is missing")
            let file = try GGUFFile(path: url.path)
            let directory = try TemporaryDirectory()
            let package = try NPUPackageConverter(file: file, options: .init(layout: .configJSON, contextLength: 256, historyStep: 128))
                .write(to: directory.file(fixture))
            let cpu = try CPUEngine(file: file, contextLength: 256)
            cpu.roundAtCardBoundaries(true)
            let card = try await SimulatedCard.open()
            let npu = try await NPUEngine.load(package, on: card.device)

            let vocabulary = cpu.descriptor.vocabularySize
            let prompt = (0 ..< 150).map { Int32(($0 * 37 + 11) % vocabulary) }
            var expected = try await cpu.forward(prompt, at: 0)
            var actual = try await npu.forward(prompt, at: 0)
            for step in 0 ..< 8 {
                #expect(actual.values == expected.values, "\(fixture): logits differ at step \(step)")
                let next = [Int32(argmax(expected.values))]
                expected = try await cpu.forward(next, at: prompt.count + step)
                actual = try await npu.forward(next, at: prompt.count + step)
            }
            #expect(actual.values == expected.values, "\(fixture): logits differ after the last step")
            try await npu.unload()
        }
    }
}
