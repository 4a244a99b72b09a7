import AXCLSimulatorSupport
import Foundation
import NPUEngine
import Testing

extension SimulatorBackedTests {
    /// Executes counted by the simulator: decode = layers + 1 per token; prefill = ⌈N/P⌉ per layer
    /// plus the post model (issue 6).
    @Suite(.enabled(if: Simulator.isAvailable)) struct CallAccounting {
        @Test(arguments: [2, 128, 129, 300])
        func prefillUsesOneExecutePerChunkAndLayer(length: Int) async throws {
            let directory = try TemporaryDirectory()
            let card = try await SimulatedCard.open()
            let engine = try await NPUEngine.load(try TinyModel.package(.configJSON, in: directory), on: card.device)
            let before = card.executes
            _ = try await engine.forward(TinyModel.prompt(length, seed: 3), at: 0)
            let chunks = (length + TinyModel.chunk - 1) / TinyModel.chunk
            #expect(card.executes - before == UInt64(chunks * TinyModel.layers + 1))
            try await engine.unload()
        }

        @Test func decodeUsesLayersPlusOneExecutesPerToken() async throws {
            let directory = try TemporaryDirectory()
            let card = try await SimulatedCard.open()
            let engine = try await NPUEngine.load(try TinyModel.package(.configJSON, in: directory), on: card.device)
            var logits = try await engine.forward(TinyModel.prompt(20, seed: 4), at: 0)
            let before = card.executes
            for step in 0 ..< 10 {
                logits = try await engine.forward([Int32(argmax(logits.values))], at: 20 + step)
            }
            #expect(card.executes - before == UInt64(10 * (TinyModel.layers + 1)))
            try await engine.unload()
        }

        @Test func unloadLeavesNothingOnTheCard() async throws {
            let directory = try TemporaryDirectory()
            let card = try await SimulatedCard.open()
            let engine = try await NPUEngine.load(try TinyModel.package(.runScript, in: directory), on: card.device)
            #expect(card.control.stats.models == UInt32(TinyModel.layers + 1))
            try await engine.unload()
            let stats = card.control.stats
            #expect(stats.models == 0)
            #expect(stats.deviceAllocations == 0)
            #expect(stats.hostAllocations == 0)
            #expect(stats.ios == 0)
            #expect(stats.ioInfos == 0)
        }

        /// A card without room for the package: the load stops before the pool is exhausted and
        /// leaves nothing behind.
        @Test func loadAbortsCleanlyWhenCMMRunsShort() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            let card = try await SimulatedCard.open()
            card.control.setCMMBudget(mebibytes: 129)
            await #expect {
                _ = try await NPUEngine.load(package, on: card.device, options: NPUEngineOptions(cmmFloorMiB: 128))
            } throws: { error in
                guard case let .insufficientCMM(loaded, total, _, _) = error as? NPUEngineError else { return false }
                return loaded > 0 && loaded < total
            }
            let stats = card.control.stats
            #expect(stats.models == 0)
            #expect(stats.deviceAllocations == 0)
        }
    }
}
