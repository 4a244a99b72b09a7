import AXCLSimulatorSupport
import EngineInterface
import Foundation
import NPUEngine
import Testing

extension SimulatorBackedTests {
    /// Chunked prefill against the prefill groups must leave the card exactly where token-by-token
    /// decode leaves it (axera.md §3.6, §7.6).
    @Suite(.enabled(if: Simulator.isAvailable)) struct Prefill {
        @Test(arguments: [1, 127, 128, 129, 300, TinyModel.contextLength])
        func chunkedPrefillEqualsTokenByToken(length: Int) async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            let card = try await SimulatedCard.open()
            let chunked = try await NPUEngine.load(package, on: card.device, options: NPUEngineOptions(prefillMode: .chunked))
            let single = try await NPUEngine.load(package, on: card.device, options: NPUEngineOptions(prefillMode: .tokenByToken))
            let prompt = TinyModel.prompt(length, seed: UInt64(length))

            let a = try await chunked.forward(prompt, at: 0)
            let b = try await single.forward(prompt, at: 0)
            #expect(argmax(a.values) == argmax(b.values))
            #expect(differences(a.values, b.values) == 0, "logits differ")
            for layer in 0 ..< TinyModel.layers {
                let rowsA = try await chunked.cacheRows(layer: layer, range: 0 ..< length)
                let rowsB = try await single.cacheRows(layer: layer, range: 0 ..< length)
                #expect(differences(rowsA.keys, rowsB.keys) == 0, "layer \(layer) keys")
                #expect(differences(rowsA.values, rowsB.values) == 0, "layer \(layer) values")
            }
            let chunks = await chunked.counters().prefillChunks
            #expect(chunks == (length > 1 ? (length + TinyModel.chunk - 1) / TinyModel.chunk : 0))
            try await chunked.unload()
            try await single.unload()
        }

        @Test func promptsBeyondTheContextAreRefused() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            let card = try await SimulatedCard.open()
            let engine = try await NPUEngine.load(package, on: card.device)
            #expect(engine.descriptor.contextLength == TinyModel.contextLength)
            await #expect(throws: EngineError.contextOverflow(requested: TinyModel.contextLength + 1, capacity: TinyModel.contextLength)) {
                _ = try await engine.forward(TinyModel.prompt(TinyModel.contextLength + 1, seed: 1), at: 0)
            }
            _ = try await engine.forward(TinyModel.prompt(10, seed: 2), at: 0)
            await #expect(throws: EngineError.invalidPosition(position: 3, cached: 10)) {
                _ = try await engine.forward([1], at: 3)
            }
            try await engine.unload()
        }

        /// Rewinding to a shared prefix and evaluating a new suffix gives what a cold start gives.
        @Test func prefixReuseEqualsColdStart() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.runScript, in: directory)
            let card = try await SimulatedCard.open()
            let engine = try await NPUEngine.load(package, on: card.device)
            let prefix = TinyModel.prompt(150, seed: 7)
            let first = TinyModel.prompt(40, seed: 8), second = TinyModel.prompt(30, seed: 9)

            _ = try await engine.forward(prefix + first, at: 0)
            _ = try await engine.forward([5], at: prefix.count + first.count) // a decoded token on top
            await engine.truncateCache(to: prefix.count)
            let reused = try await engine.forward(second, at: prefix.count)
            let next = try await engine.forward([Int32(argmax(reused.values))], at: prefix.count + second.count)

            await engine.truncateCache(to: 0)
            let cold = try await engine.forward(prefix + second, at: 0)
            let coldNext = try await engine.forward([Int32(argmax(cold.values))], at: prefix.count + second.count)
            #expect(differences(reused.values, cold.values) == 0)
            #expect(differences(next.values, coldNext.values) == 0)
            try await engine.unload()
        }
    }
}
