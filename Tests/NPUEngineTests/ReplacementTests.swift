import AXCL
import AXCLSimulatorSupport
import EngineInterface
import Foundation
import GGUF
import ModelConversion
import NPUEngine
import Synchronization
import TestSupport
import Testing
import Tokenizer

extension SimulatorBackedTests {
    /// A model whose card fails for good (recovery gave up) is placed again on the cards that
    /// still work: whole on another card, or split anew over the remaining ones, with its cached
    /// prompt restored; when nothing can hold it, requests are refused at once saying why.
    @Suite(.enabled(if: Simulator.isAvailable)) struct Replacement {
        /// One recovery round each: a card that never heals fails within a second.
        static let settings = CardSupervisionSettings(telemetryInterval: 3600, engineTimeout: 5, recoveryAttempts: 1,
                                                      enumerationTimeout: 1, backoff: 0.05)
        /// From the fault to the model answering from its new cards: one recovery round, a load
        /// and the cached prompt computed again, on cores that other tests keep busy.
        static let handoffLimit: Duration = .seconds(60)

        /// Log lines of a pool, as the server would print them.
        final class Log: Sendable {
            private let lines = Mutex<[String]>([])
            var text: String { lines.withLock { $0.joined(separator: "\n") } }
            var report: @Sendable (String) -> Void { { line in self.lines.withLock { $0.append(line) } } }
        }

        static func openPool(devices: Int, library: AXCLLibrary, control: SimulatorControl, log: Log,
                             engineTimeout: Double = settings.engineTimeout,
                             recoveryAttempts: Int = settings.recoveryAttempts) async throws -> (NPUCardPool, [DeviceID]) {
            control.setDeviceCount(UInt32(devices))
            let ids = try AXCLRuntime(library: library).devices()
            var settings = Self.settings
            settings.deviceIDs = ids
            settings.engineTimeout = engineTimeout
            settings.recoveryAttempts = recoveryAttempts
            return (try await NPUCardPool.open(library: library, settings: settings, report: log.report), ids)
        }

        /// Two simulated cards under a pool, the tiny model placed whole on the first.
        struct TwoCards {
            let directory: TemporaryDirectory
            let control: SimulatorControl
            let log: Log
            let pool: NPUCardPool
            let ids: [DeviceID]
            let engine: NPUEngine

            static func open(engineTimeout: Double = settings.engineTimeout,
                             recoveryAttempts: Int = settings.recoveryAttempts) async throws -> TwoCards {
                let directory = try TemporaryDirectory()
                let (library, control) = try Simulator.fresh()
                let log = Log()
                let (pool, ids) = try await Replacement.openPool(devices: 2, library: library, control: control, log: log,
                                                                 engineTimeout: engineTimeout, recoveryAttempts: recoveryAttempts)
                let engine = try await pool.place(try TinyModel.package(.configJSON, in: directory))
                return TwoCards(directory: directory, control: control, log: log, pool: pool, ids: ids, engine: engine)
            }
        }

        /// The prompt plus its greedy next token: the logits a model must reproduce wherever it runs.
        static func reference(_ engine: NPUEngine, prompt: [Int32]) async throws -> (next: Int32, logits: [Float]) {
            let next = Int32(argmax(try await engine.forward(prompt, at: 0).values))
            return (next, try await engine.forward([next], at: prompt.count).values)
        }

        /// Greedy tokens after `logits`, decoding from `position` on.
        static func greedy(_ engine: NPUEngine, after logits: [Float], at position: Int, count: Int) async throws -> [Int32] {
            var logits = logits, tokens: [Int32] = []
            for step in 0 ..< count {
                tokens.append(Int32(argmax(logits)))
                logits = try await engine.forward([tokens[step]], at: position + step).values
            }
            return tokens
        }

        /// Makes the card that runs the next execute drop off the bus for good: every reboot of
        /// the ladder brings it back only for it to drop again at its next execute.
        static func failForGood(_ control: SimulatorControl, afterExecutes count: Int) {
            control.setRebootDuration(seconds: 0.05)
            control.setOfflineSurvivesReboot(true)
            control.setOfflineAfterExecutes(Int64(count))
        }

        /// With one recovery round (which releases the model) and with none (the card fails at its
        /// first fault, still holding the model's handles, which the move releases).
        @Test(arguments: [1, 0])
        func wholeModelMovesToAnotherCardWithItsCachedPromptAndAnswersAsBefore(recoveryAttempts: Int) async throws {
            let cards = try await TwoCards.open(recoveryAttempts: recoveryAttempts)
            let (control, log, pool, ids, engine) = (cards.control, cards.log, cards.pool, cards.ids, cards.engine)
            #expect(engine.placement.map { $0.device.id } == [ids[0]])
            let prompt = TinyModel.prompt(40, seed: 12)
            let (next, reference) = try await Self.reference(engine, prompt: prompt)
            let expected = try await Self.greedy(engine, after: reference, at: prompt.count + 1, count: 6)
            await engine.truncateCache(to: prompt.count)

            let started = ContinuousClock.now
            Self.failForGood(control, afterExecutes: 1)
            await #expect(throws: NPUEngineError.self) { _ = try await engine.forward([next], at: prompt.count) }
            await pool.cards[0].waitForHandoff()
            #expect(ContinuousClock.now - started < Self.handoffLimit)

            let failed = pool.cards[0].status
            #expect(failed.state == .failed)
            let model = engine.package.manifest.modelName
            #expect(failed.detail?.contains("\(model) was moved to axcl:\(ids[1].rawValue)") == true, "\(failed.detail ?? "")")
            #expect(log.text.contains("\(model) was moved off axcl:\(ids[0].rawValue), which failed, to axcl:\(ids[1].rawValue)"), "\(log.text)")
            #expect(engine.placement.map { $0.device.id } == [ids[1]])
            #expect(await pool.deviceStatuses().allSatisfy(\.blockedModels.isEmpty), "the failed card blocks no model: no restart is needed")
            #expect(await engine.health() == .ready)
            #expect(await engine.cachedCount() == prompt.count, "the cached prompt was computed again on the new card")
            let stats = control.deviceStats(ids[1].rawValue)
            #expect(Int(stats.models) == TinyModel.layers + 1)
            #expect(engine.descriptor.deviceMemoryBytes == Int64(stats.cmmUsedBytes), "/api/ps reports the new card's CMM")

            let after = try await engine.forward([next], at: prompt.count).values
            #expect(differences(after, reference) == 0)
            #expect(try await Self.greedy(engine, after: after, at: prompt.count + 1, count: 6) == expected)

            try await engine.unload()
            #expect(control.deviceStats(ids[1].rawValue).models == 0 && control.deviceStats(ids[1].rawValue).deviceAllocations == 0)
            for card in pool.cards { await card.stop() }
        }

        /// A card that never reappears after its reboot fails; of its two models, the resident one is
        /// moved and the one evicted before is not loaded anywhere again.
        @Test func cardThatNeverReappearsHasOnlyItsResidentModelsMoved() async throws {
            let directory = try TemporaryDirectory()
            let (library, control) = try Simulator.fresh()
            let log = Log()
            let (pool, ids) = try await Self.openPool(devices: 2, library: library, control: control, log: log)
            let resident = try await pool.place(try TinyModel.package(.configJSON, in: directory))
            let evicted = try await pool.place(try TinyModel.package(.runScript, in: directory))
            try await evicted.unload()
            let prompt = TinyModel.prompt(20, seed: 4)
            let (next, reference) = try await Self.reference(resident, prompt: prompt)
            await resident.truncateCache(to: prompt.count)

            control.setRebootDuration(seconds: 60)
            control.setDeviceOffline(ids[0].rawValue)
            await pool.cards[0].pollOnce()
            await pool.cards[0].waitForHandoff()
            let detail = pool.cards[0].status.detail ?? ""
            #expect(pool.cards[0].status.state == .failed)
            #expect(detail.contains("did not reappear"), "\(detail)")
            #expect(Self.occurrences(of: "was moved to axcl:\(ids[1].rawValue)", in: detail) == 1, "\(detail)")
            #expect(!detail.contains("could not be moved"), "\(detail)")
            #expect(resident.placement.map { $0.device.id } == [ids[1]])
            #expect(Int(control.deviceStats(ids[1].rawValue).models) == TinyModel.layers + 1, "the resident model only")
            #expect(differences(try await resident.forward([next], at: prompt.count).values, reference) == 0)
            try await resident.unload()
            for card in pool.cards { await card.stop() }
        }

        /// The new card faults while the cached prompt is computed again on it: the move is undone,
        /// nothing of the model stays there, and the model stays unavailable saying why.
        @Test func moveUndoneWhenTheNewCardFaultsWhileRestoringThePrompt() async throws {
            let cards = try await TwoCards.open()
            let (control, pool, ids, engine) = (cards.control, cards.pool, cards.ids, cards.engine)
            let prompt = TinyModel.prompt(40, seed: 9)
            _ = try await engine.forward(prompt, at: 0)

            // The request's second execute and the recovery round's first (the third) drop the first
            // card; the fourth is the first one on the second card, computing the prompt again.
            Self.failForGood(control, afterExecutes: 1)
            control.setExecuteError(at: 4)
            await #expect(throws: NPUEngineError.self) { _ = try await engine.forward([5], at: prompt.count) }
            await pool.cards[0].waitForHandoff()
            await pool.cards[1].waitForRecovery()
            let detail = pool.cards[0].status.detail ?? ""
            #expect(detail.contains("could not be moved to another card") && detail.contains("ENGINE_EXECUTE_FAIL"), "\(detail)")
            #expect(engine.placement.map { $0.device.id } == [ids[0]])
            #expect(await engine.health().state == .failed)
            #expect(await pool.deviceStatuses().map(\.blockedModels) == [[engine.package.manifest.modelName], []],
                    "the failed card blocks the model it kept: a restart may place it")
            #expect(pool.cards[1].status.state == .ready, "the second card recovered from its own fault")
            #expect(control.deviceStats(ids[1].rawValue).models == 0 && control.deviceStats(ids[1].rawValue).deviceAllocations == 0)
            for card in pool.cards { await card.stop() }
        }

        /// A load on the new card never returns: the watchdog wedges that card naming the move, the
        /// model stays unavailable at once; when the load returns after all, the move is undone and
        /// the new card, recovered, keeps nothing of it.
        @Test func moveWhoseLoadHangsWedgesTheNewCardAndIsUndoneWhenTheLoadReturns() async throws {
            let cards = try await TwoCards.open(engineTimeout: 1)
            let (control, pool, ids, engine) = (cards.control, cards.pool, cards.ids, cards.engine)
            let prompt = TinyModel.prompt(40, seed: 10)
            _ = try await engine.forward(prompt, at: 0)

            // The recovery round reloads the two layers and the post model on the first card (loads
            // 1-3); the fourth load is the move's first, on the second card.
            Self.failForGood(control, afterExecutes: 1)
            control.setHang(atLoad: 4)
            await #expect(throws: NPUEngineError.self) { _ = try await engine.forward([5], at: prompt.count) }
            let started = ContinuousClock.now
            await pool.cards[0].waitForHandoff()
            #expect(ContinuousClock.now - started < .seconds(30))
            let second = pool.cards[1].status
            #expect(second.state == .wedged && second.detail?.contains("moving") == true, "\(second.detail ?? "")")
            #expect(pool.cards[0].status.detail?.contains("could not be moved to another card") == true, "\(pool.cards[0].status.detail ?? "")")
            let refused = ContinuousClock.now
            await #expect(throws: EngineUnavailableError.self) { _ = try await engine.forward([5], at: prompt.count) }
            #expect(ContinuousClock.now - refused < .seconds(1))

            control.releaseHangs()
            for _ in 0 ..< 250 where pool.cards[1].status.state != .ready { try await Task.sleep(for: .milliseconds(20)) }
            await pool.cards[1].waitForRecovery()
            #expect(pool.cards[1].status.state == .ready, "\(pool.cards[1].status.detail ?? "")")
            #expect(engine.placement.map { $0.device.id } == [ids[0]])
            #expect(control.deviceStats(ids[1].rawValue).models == 0 && control.deviceStats(ids[1].rawValue).deviceAllocations == 0)
            for card in pool.cards { await card.stop() }
        }

        static func occurrences(of part: String, in text: String) -> Int { text.components(separatedBy: part).count - 1 }

        /// The default model on three cards each smaller than its weights: split over the first
        /// two; the second fails for good and it is split anew over the first and the third,
        /// generating the same tokens; then the first fails too, and the third alone cannot hold
        /// it: requests are refused at once, naming the failed card and why nothing took the model.
        @Test(.enabled(if: TestModels.hasDefaultModel))
        func splitModelIsSplitAnewOverTheRemainingCardsThenRefusedWhenNothingHoldsIt() async throws {
            let directory = try TemporaryDirectory()
            let converted = try #require(try DefaultModelPackage.convert(in: directory))
            let package = converted.package
            let model = package.manifest.modelName
            let prompt = converted.tokenizer.encode("The capital of France is", addSpecial: true, parseSpecial: false)
            let (library, control) = try Simulator.fresh()
            let log = Log()
            let (pool, ids) = try await Self.openPool(devices: 3, library: library, control: control, log: log)
            control.setCMMBudget(mebibytes: converted.weightMebibytes)
            let options = NPUEngineOptions(cmmFloorMiB: 1)
            let engine = try await pool.place(package, options: options)
            let first = engine.placement
            #expect(first.map { $0.device.id } == [ids[0], ids[1]])
            let (next, reference) = try await Self.reference(engine, prompt: prompt)
            let expected = try await Self.greedy(engine, after: reference, at: prompt.count + 1, count: 4)
            await engine.truncateCache(to: prompt.count)

            // The second card fails for good: split anew over the first and the third.
            var started = ContinuousClock.now
            Self.failForGood(control, afterExecutes: first[0].layers.count + 2)
            await #expect(throws: NPUEngineError.self) { _ = try await engine.forward([next], at: prompt.count) }
            await pool.cards[1].waitForHandoff()
            #expect(ContinuousClock.now - started < Self.handoffLimit)
            #expect(pool.cards[1].status.state == .failed)
            let second = engine.placement
            #expect(second.map { $0.device.id } == [ids[0], ids[2]])
            #expect(second.map { $0.layers.count }.reduce(0, +) == package.layerFiles.count)
            #expect(log.text.contains("\(model) was moved off axcl:\(ids[1].rawValue), which failed, to axcl:\(ids[0].rawValue) layers 0-"),
                    "\(log.text)")
            #expect(await engine.cachedCount() == prompt.count)
            #expect(Int(control.deviceStats(ids[2].rawValue).models) == second[1].layers.count + 1, "its layers and the post model")
            let used = control.deviceStats(ids[0].rawValue).cmmUsedBytes + control.deviceStats(ids[2].rawValue).cmmUsedBytes
            #expect(engine.descriptor.deviceMemoryBytes == Int64(used))
            let after = try await engine.forward([next], at: prompt.count).values
            #expect(differences(after, reference) == 0)
            #expect(try await Self.greedy(engine, after: after, at: prompt.count + 1, count: 4) == expected)
            await engine.truncateCache(to: prompt.count)

            // Then the first card fails for good: the third alone is too small.
            started = ContinuousClock.now
            Self.failForGood(control, afterExecutes: 1)
            await #expect(throws: NPUEngineError.self) { _ = try await engine.forward([next], at: prompt.count) }
            await pool.cards[0].waitForHandoff()
            #expect(ContinuousClock.now - started < Self.handoffLimit)
            #expect(pool.cards[0].status.state == .failed)
            #expect(log.text.contains("\(model) could not be moved off axcl:\(ids[0].rawValue), which failed"), "\(log.text)")
            #expect(await engine.health().state == .failed)
            let refused = ContinuousClock.now
            await #expect { _ = try await engine.forward([next], at: prompt.count) } throws: { error in
                let reason = (error as? EngineUnavailableError)?.reason ?? ""
                return reason.contains("axcl:\(ids[0].rawValue) is failed") && reason.contains("could not be moved to another card")
                    && reason.contains("axcl:\(ids[2].rawValue) has")
            }
            #expect(ContinuousClock.now - refused < .seconds(1), "refused without touching a card")
            // Nothing of the model stays on the card that still works.
            #expect(control.deviceStats(ids[2].rawValue).models == 0 && control.deviceStats(ids[2].rawValue).deviceAllocations == 0)
            for card in pool.cards { await card.stop() }
        }
    }
}
