import AXCL
import AXCLSimulatorSupport
import Foundation
import GGUF
import ModelConversion
import NPUEngine
import Testing

extension SimulatorBackedTests {
    /// Host-side time per decoded token for the shape of a vendor Qwen package: 28 layers and a
    /// 151,936-token vocabulary (axera.md §3.2). The simulator's compute time is excluded (it is
    /// measured around every execute and subtracted), leaving what the engine itself costs per
    /// token: embedding lookup, copies, mask updates, the logits read-back and conversion.
    /// Target: below 1 ms (issue 6).
    @Suite(.enabled(if: Simulator.isAvailable)) struct DecodeOverhead {
        @Test func hostTimePerDecodedTokenStaysBelowOneMillisecond() async throws {
            let directory = try TemporaryDirectory()
            let ggufURL = directory.file("wide.gguf")
            try Data(TinyModel.gguf(layers: 28, vocabulary: 151_936, seed: 2)).write(to: ggufURL)
            let options = NPUPackageConverter.Options(layout: .configJSON, contextLength: 1024)
            let package = try NPUPackageConverter(file: GGUFFile(path: ggufURL.path), options: options)
                .write(to: directory.file("wide"))
            let card = try await SimulatedCard.open()
            let engine = try await NPUEngine.load(package, on: card.device)
            try await measure(engine, label: "", boundMilliseconds: 1)
            try await engine.unload()

            // The same package split across two cards: the hidden row crosses through the host and
            // the call hands over to the second card's thread and back once per token. Those two
            // thread wake-ups dominate and depend on the machine's load (measured here between
            // 0.1 and 4.2 ms per token on two busy cores), so the bound only catches per-token
            // work that does not belong there.
            card.control.setDeviceCount(2)
            let second = try await NPUCard.open(library: card.library, deviceID: DeviceID(card.device.id.rawValue + 1))
            let split = try await NPUEngine.load(package, across: [LayerShare(device: card.device, layers: 0 ..< 14),
                                                                   LayerShare(device: second, layers: 14 ..< 28)])
            try await measure(split, label: " split across 2 cards", boundMilliseconds: 20)
            try await split.unload()
        }

        private func measure(_ engine: NPUEngine, label: String, boundMilliseconds: Double) async throws {
            let prompt = 300
            var logits = try await engine.forward(TinyModel.prompt(prompt, seed: 1), at: 0)
            let tokens = 48
            for step in 0 ..< tokens {
                logits = try await engine.forward([Int32(argmax(logits.values))], at: prompt + step)
            }
            let counters = await engine.counters()
            let perToken = counters.hostSecondsPerDecodedToken * 1000
            print("NPU decode host overhead\(label): \(String(format: "%.3f", perToken)) ms/token over \(counters.decodeSteps) tokens "
                + "(28 layers, vocabulary 151936; execute time excluded)")
            print("NPU prefill host overhead\(label): \(String(format: "%.3f", counters.hostSecondsPerPrefillChunk * 1000)) ms/chunk "
                + "over \(counters.prefillChunks) chunks of 128")
            #expect(counters.decodeSteps == tokens)
            #expect(perToken < boundMilliseconds)
        }
    }
}
