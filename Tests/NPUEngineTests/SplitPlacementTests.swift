import AXCL
import AXCLSimulatorSupport
import EngineInterface
import Foundation
import GGUF
import ModelConversion
import NPUEngine
import TestSupport
import Testing
import Tokenizer

extension SimulatorBackedTests {
    /// The default model on two simulated cards whose CMM is smaller than its weights: the card
    /// pool splits its layers across both, it generates the tokens it generates on one big card,
    /// and a fault on the second card makes it unavailable until that card's recovery has
    /// reloaded it on both.
    @Suite(.enabled(if: Simulator.isAvailable && TestModels.hasDefaultModel))
    struct SplitPlacement {
        /// A short watchdog for the hang below; one execute of this model takes milliseconds.
        static let settings = CardSupervisionSettings(telemetryInterval: 3600, engineTimeout: 3, recoveryAttempts: 3,
                                                      enumerationTimeout: 5, backoff: 0.05)

        static func greedy(_ engine: NPUEngine, prompt: [Int32], count: Int) async throws -> (tokens: [Int32], last: [Float]) {
            var logits = try await engine.forward(prompt, at: 0).values
            var tokens: [Int32] = []
            for step in 0 ..< count {
                tokens.append(Int32(argmax(logits)))
                if step + 1 < count { logits = try await engine.forward([tokens[step]], at: prompt.count + step).values }
            }
            return (tokens, logits)
        }

        @Test func modelLargerThanEitherCardIsSplitAndGeneratesWhatOneBigCardGenerates() async throws {
            let directory = try TemporaryDirectory()
            let converted = try #require(try DefaultModelPackage.convert(in: directory))
            let package = converted.package
            let prompt = converted.tokenizer.encode("The capital of France is", addSpecial: true, parseSpecial: false)
            let (library, control) = try Simulator.fresh()
            control.setDeviceCount(2)
            let ids = try AXCLRuntime(library: library).devices()
            var settings = Self.settings
            settings.deviceIDs = ids
            let pool = try await NPUCardPool.open(library: library, settings: settings)
            let options = NPUEngineOptions(cmmFloorMiB: 1)

            // On one big card (the simulator's default pool) the model goes whole to the first card.
            let whole = try await pool.place(package, options: options)
            #expect(whole.placement.count == 1)
            let expected = try await Self.greedy(whole, prompt: prompt, count: 8)
            try await whole.unload()

            // Each card's pool below the weights alone: neither card can take the model whole.
            control.setCMMBudget(mebibytes: converted.weightMebibytes)
            let split = try await pool.place(package, options: options)
            let placement = split.placement
            #expect(placement.map { $0.device.id } == ids)
            #expect(placement.map { $0.layers.count }.reduce(0, +) == package.layerFiles.count)
            let first = control.deviceStats(ids[0].rawValue), second = control.deviceStats(ids[1].rawValue)
            #expect(Int(first.models) == placement[0].layers.count)
            #expect(Int(second.models) == placement[1].layers.count + 1, "its layers and the post model")
            #expect(split.descriptor.deviceMemoryBytes == Int64(first.cmmUsedBytes + second.cmmUsedBytes))

            let actual = try await Self.greedy(split, prompt: prompt, count: 8)
            #expect(actual.tokens == expected.tokens)
            #expect(differences(actual.last, expected.last) == 0)

            // A fault on the second card: the request fails, the model is unavailable while that card
            // recovers, then it answers exactly as before with its cached prompt computed again.
            let next = expected.tokens[0]
            await split.truncateCache(to: prompt.count)
            let reference = try await split.forward([next], at: prompt.count).values
            await split.truncateCache(to: prompt.count)
            control.setRebootDuration(seconds: 0.3)
            control.setOfflineAfterExecutes(Int64(placement[0].layers.count + 2))
            await #expect(throws: NPUEngineError.self) { _ = try await split.forward([next], at: prompt.count) }
            control.setOfflineAfterExecutes(0)
            #expect(pool.cards[0].status.state == .ready)
            #expect(pool.cards[1].status.state == .recovering)
            #expect(await split.health().state == .recovering)
            await #expect(throws: EngineUnavailableError.self) { _ = try await split.forward([next], at: prompt.count) }
            await pool.cards[1].waitForRecovery()
            #expect(pool.cards[1].status.state == .ready && pool.cards[1].status.recoveryCount == 1)
            #expect(await split.cachedCount() == prompt.count)
            let after = try await split.forward([next], at: prompt.count).values
            #expect(differences(after, reference) == 0)
            await split.truncateCache(to: prompt.count)

            // Both cards lost at once: the request finds the first, telemetry the second. Whichever
            // recovery ends first leaves the model released while the other card is down; the
            // last one reloads it on both.
            control.setRebootDuration(seconds: 0.5)
            for id in ids { control.setDeviceOffline(id.rawValue) }
            await #expect(throws: NPUEngineError.self) { _ = try await split.forward([next], at: prompt.count) }
            await pool.cards[1].pollOnce()
            #expect(pool.cards.allSatisfy { $0.status.state == .recovering })
            for card in pool.cards { await card.waitForRecovery() }
            #expect(pool.cards.allSatisfy { $0.status.state == .ready })
            #expect(await split.cachedCount() == prompt.count)
            // The model unloaded before (`whole`) stays unloaded: the cards hold the split model's parts only.
            #expect(Int(control.deviceStats(ids[0].rawValue).models) == placement[0].layers.count)
            #expect(Int(control.deviceStats(ids[1].rawValue).models) == placement[1].layers.count + 1)
            let afterBoth = try await split.forward([next], at: prompt.count).values
            #expect(differences(afterBoth, reference) == 0)
            await split.truncateCache(to: prompt.count)

            // An execute hangs on the second card: the watchdog answers, that card is wedged and the
            // first stays ready; once the call returns, the second card's recovery brings the model back.
            control.setHang(at: Int64(placement[0].layers.count + 2))
            await #expect { _ = try await split.forward([next], at: prompt.count) } throws: { error in
                (error as? EngineUnavailableError)?.reason.contains("axcl:\(ids[1].rawValue) is wedged") == true
            }
            #expect(pool.cards[1].status.state == .wedged && pool.cards[0].status.state == .ready)
            #expect(pool.cards[1].status.faultCounts["timeout"] == 1 && pool.cards[0].status.faultCounts["timeout"] == nil)
            await #expect(throws: EngineUnavailableError.self) { _ = try await split.forward([next], at: prompt.count) }
            control.releaseHangs()
            for _ in 0 ..< 250 where pool.cards[1].status.state == .wedged { try await Task.sleep(for: .milliseconds(20)) }
            await pool.cards[1].waitForRecovery()
            #expect(pool.cards[1].status.state == .ready, "\(pool.cards[1].status.detail ?? "")")
            let afterHang = try await split.forward([next], at: prompt.count).values
            #expect(differences(afterHang, reference) == 0)

            try await split.unload()
            for id in ids { #expect(control.deviceStats(id.rawValue).models == 0 && control.deviceStats(id.rawValue).deviceAllocations == 0) }
            for card in pool.cards { await card.stop() }
        }
    }
}
