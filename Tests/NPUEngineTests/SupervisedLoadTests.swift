import AXCL
import AXCLSimulatorSupport
import EngineInterface
import Foundation
import NPUEngine
import Testing

extension SimulatorBackedTests {
    /// Loads under the card's supervision (axera.md §5: a card can hang or drop off mid-load): a
    /// runtime call of a first load or of a recovery's reload that never returns wedges the card
    /// with the call named, whatever is queued on the card is answered when the watchdog fires
    /// instead of waiting on the card's stuck thread, and a device fault during a load starts
    /// the card's recovery. Bounds are generous: the machine may be busy with other tests.
    @Suite(.enabled(if: Simulator.isAvailable)) struct SupervisedLoads {
        static func settings(timeout: Double) -> CardSupervisionSettings {
            CardSupervisionSettings(telemetryInterval: 3600, engineTimeout: timeout, recoveryAttempts: 3, enumerationTimeout: 5, backoff: 0.05)
        }

        /// Waits until the card has left `wedged` (a late return starts the ladder) and the ladder has ended.
        static func waitUntilRecovered(_ card: CardSupervisor) async throws {
            for _ in 0 ..< 500 where card.status.state == .wedged { try await Task.sleep(for: .milliseconds(20)) }
            await card.waitForRecovery()
        }

        /// One supervised simulated card in a pool, and the tiny model's package.
        struct Fixture {
            let directory: TemporaryDirectory
            let package: NPUModelPackage
            let control: SimulatorControl
            let card: CardSupervisor
            let pool: NPUCardPool

            static func make(timeout: Double, layout: NPUPackageLayout = .configJSON) async throws -> Fixture {
                let directory = try TemporaryDirectory()
                let package = try TinyModel.package(layout, in: directory)
                let (library, control) = try Simulator.fresh()
                let card = try await CardSupervisor.open(library: library, settings: SupervisedLoads.settings(timeout: timeout))
                // The first telemetry read runs in the background as the card opens; a fault set
                // before it has run would be found by it instead of by the load under test.
                for _ in 0 ..< 500 where card.status.temperatureCelsius == nil { try await Task.sleep(for: .milliseconds(20)) }
                try #require(card.status.temperatureCelsius != nil, "the card's first telemetry read did not arrive")
                return Fixture(directory: directory, package: package, control: control, card: card, pool: NPUCardPool(cards: [card]))
            }

            /// After one recovery: nothing of the failed load is left on the card, and the model loads and answers.
            func expectRecoveredAndLoadable() async throws {
                #expect(card.status.state == .ready, "\(card.status.detail ?? "")")
                #expect(card.status.recoveryCount == 1)
                #expect(control.stats.models == 0 && control.stats.deviceAllocations == 0)
                let engine = try await pool.place(package)
                _ = try await engine.forward(TinyModel.prompt(20, seed: 4), at: 0)
                try await engine.unload()
                await card.stop()
            }
        }

        /// A model file's load hangs during the first load: that request and the loads queued
        /// behind it fail at once with the wedged card's error naming the call, later ones are
        /// refused without touching the card, and when the call returns what it loaded is
        /// released and the card recovered, ready for the same load.
        @Test func hangDuringAFirstLoadWedgesTheCardNamingTheCall() async throws {
            let f = try await Fixture.make(timeout: 1)
            let (package, control, card, pool) = (f.package, f.control, f.card, f.pool)
            control.setHang(atLoad: 2) // the file of layer 1

            let started = Date()
            let loads = (0 ..< 3).map { _ in
                Task { () -> (error: (any Error)?, seconds: Double) in
                    do {
                        let engine = try await pool.place(package)
                        try? await engine.unload()
                        return (nil, Date().timeIntervalSince(started))
                    } catch {
                        return (error, Date().timeIntervalSince(started))
                    }
                }
            }
            var outcomes: [(error: (any Error)?, seconds: Double)] = []
            for load in loads { outcomes.append(await load.value) }
            for outcome in outcomes {
                let reason = (outcome.error as? EngineUnavailableError)?.reason ?? "\(outcome.error.map { "\($0)" } ?? "loaded")"
                #expect(reason.contains("axcl:129 is wedged"), "\(reason)")
                #expect(outcome.seconds < 15, "answered when the watchdog fired, not when the call returns")
            }
            var status = card.status
            #expect(status.state == .wedged)
            #expect(status.faultCounts["timeout"] == 1, "the wedge is counted once")
            let detail = status.detail ?? ""
            #expect(detail.contains("loading \(package.manifest.modelName)") && detail.contains("axclrtEngineLoadFromFile of layer 1")
                && detail.contains("restart axllama"), "\(detail)")

            // Nothing waits on the stuck thread any more: a later load is refused at once.
            let refused = Date()
            await #expect { _ = try await pool.place(package) } throws: { error in
                (error as? EngineUnavailableError)?.reason.contains("is wedged: loading") == true
            }
            #expect(Date().timeIntervalSince(refused) < 5)

            // When the call returns, the late load gives back what it had loaded and the ladder resets the card.
            control.releaseHangs()
            try await Self.waitUntilRecovered(card)
            try await f.expectRecoveredAndLoadable()
        }

        /// A runtime call of a first load other than a model file's load, made to hang in the simulator.
        struct HungLoadCall: Sendable, CustomTestStringConvertible {
            let symbol: String
            let call: Int64
            /// What the card's detail names: the call, or the step of the load it belongs to.
            let named: String
            var testDescription: String { "\(symbol) #\(call)" }
        }

        static let hungLoadCalls = [
            // Free CMM is read when the model is placed, before the load, then after each layer.
            HungLoadCall(symbol: "axclrtGetDeviceProperties", call: 3, named: "axclrtGetDeviceProperties (free CMM after layer 0"),
            HungLoadCall(symbol: "axclrtEngineCreateIO", call: 1, named: "setting up layer 0"),
            HungLoadCall(symbol: "axclrtMalloc", call: 1, named: "setting up layer 0"),
        ]

        /// A call of a first load other than the file load hangs (the free-CMM query, an IO's
        /// creation, a device allocation): the load fails at once with the wedged card's error,
        /// the card is wedged naming the call or its step, and when the call returns the card is
        /// recovered with nothing of the load left on it, ready for the same load.
        @Test(arguments: hungLoadCalls) func hangInALoadsOtherCallsWedgesTheCardNamingTheCall(_ hung: HungLoadCall) async throws {
            let f = try await Fixture.make(timeout: 1)
            let (package, control, card, pool) = (f.package, f.control, f.card, f.pool)
            try #require(control.setHang(atCall: hung.call, of: hung.symbol), "the simulator cannot hang \(hung.symbol)")

            let started = Date()
            await #expect { _ = try await pool.place(package) } throws: { error in
                (error as? EngineUnavailableError)?.reason.contains("axcl:129 is wedged") == true
            }
            #expect(Date().timeIntervalSince(started) < 15, "answered when the watchdog fired, not when the call returns")
            let status = card.status
            #expect(status.state == .wedged)
            #expect(status.faultCounts["timeout"] == 1)
            let detail = status.detail ?? ""
            #expect(detail.contains("loading \(package.manifest.modelName)") && detail.contains(hung.named), "\(detail)")

            control.releaseHangs()
            try await Self.waitUntilRecovered(card)
            try await f.expectRecoveredAndLoadable()
        }

        /// The card drops off the bus before a first load: the load fails with the runtime's
        /// error, the fault is counted on the card and its recovery starts at once (not at the
        /// next telemetry poll); once the reboot has healed it, the same load succeeds.
        @Test func deviceLostDuringAFirstLoadStartsTheCardsRecovery() async throws {
            let f = try await Fixture.make(timeout: 5)
            f.control.setRebootDuration(seconds: 0.3)
            f.control.setDeviceOffline(129)
            await #expect { _ = try await f.pool.place(f.package) } throws: { ($0 as? AXCLError)?.kind == .deviceLost }
            #expect(f.card.status.state == .recovering, "\(f.card.status.detail ?? "")")
            #expect((f.card.status.faultCounts["device lost"] ?? 0) >= 1)
            await f.card.waitForRecovery()
            try await f.expectRecoveredAndLoadable()
        }

        /// A model file's load hangs while the recovery ladder reloads the model: the ladder ends
        /// with the card wedged and the step and call named; when the call returns the ladder runs
        /// again and the card answers exactly as before the fault.
        @Test func hangDuringARecoveryLoadWedgesTheCardNamingTheCall() async throws {
            let f = try await Fixture.make(timeout: 1, layout: .runScript)
            let (control, card) = (f.control, f.card)
            let engine = try await card.loadEngine(f.package)
            let prompt = TinyModel.prompt(40, seed: 9), next: Int32 = 11
            _ = try await engine.forward(prompt, at: 0)
            let expected = try await engine.forward([next], at: prompt.count).values
            await engine.truncateCache(to: prompt.count)

            control.setExecuteError(at: 1)
            control.setHang(atLoad: 1) // the reload's first file
            await #expect(throws: NPUEngineError.self) { _ = try await engine.forward([next], at: prompt.count) }
            await card.waitForRecovery()
            var status = card.status
            #expect(status.state == .wedged, "\(status.detail ?? "")")
            let detail = status.detail ?? ""
            #expect(detail.contains("recovery step reloading") && detail.contains("axclrtEngineLoadFromFile of layer 0"), "\(detail)")
            #expect(status.faultCounts["timeout"] == 1)
            let refused = Date()
            await #expect { _ = try await engine.forward([next], at: prompt.count) } throws: { error in
                (error as? EngineUnavailableError)?.reason.contains("is wedged") == true
            }
            #expect(Date().timeIntervalSince(refused) < 5)

            control.releaseHangs()
            try await Self.waitUntilRecovered(card)
            status = card.status
            #expect(status.state == .ready, "\(status.detail ?? "")")
            #expect(status.recoveryCount == 1)
            let after = try await engine.forward([next], at: prompt.count).values
            #expect(differences(after, expected) == 0)
            try await engine.unload()
            #expect(control.stats.models == 0)
            await card.stop()
        }

        /// Everything queued on a card when an execute hangs there — more calls of the same model,
        /// a call of another model, a load, a truncation, an unload — is answered as soon as the
        /// watchdog fires, not after a timeout of its own each, and none of it hangs.
        @Test func workQueuedOnAWedgedCardIsAnsweredWhenTheWatchdogFires() async throws {
            let f = try await Fixture.make(timeout: 2)
            let (control, card, pool) = (f.control, f.card, f.pool)
            let first = try await card.loadEngine(f.package)
            let second = try await card.loadEngine(try TinyModel.package(.runScript, in: f.directory))
            let third = try TinyModel.package(.configJSON, in: f.directory, layers: 3)
            control.setHang(at: 1)

            let started = Date()
            let hung = Task { () -> Double in
                _ = try? await first.forward([1, 2, 3], at: 0)
                return Date().timeIntervalSince(started)
            }
            try await Task.sleep(for: .milliseconds(100))
            func timed(_ body: @escaping @Sendable () async throws -> Void) -> Task<(failed: Bool, seconds: Double), Never> {
                Task {
                    var failed = false
                    do { try await body() } catch { failed = true }
                    return (failed, Date().timeIntervalSince(started))
                }
            }
            let queued = [
                timed { _ = try await first.forward([4], at: 0) },
                timed { _ = try await first.forward([5], at: 0) },
                timed { _ = try await second.forward([6, 7], at: 0) },
                timed { _ = try await pool.place(third) },
                timed { try await second.unload() },
                timed { await first.truncateCache(to: 0) },
            ]
            let fired = await hung.value
            #expect(fired < 15)
            // Waiting a timeout each, one after another, the six would take 12 s or more after the first.
            for (index, task) in queued.enumerated() {
                let outcome = await task.value
                #expect(outcome.seconds < fired + 5, "queued call \(index) answered \(outcome.seconds - fired) s after the watchdog fired")
                if index < 5 { #expect(outcome.failed, "queued call \(index) must fail with the wedged card's error") }
            }
            #expect(card.status.state == .wedged)
            #expect(card.status.faultCounts["timeout"] == 1)

            control.releaseHangs()
            try await Self.waitUntilRecovered(card)
            #expect(card.status.state == .ready, "\(card.status.detail ?? "")")
            _ = try await first.forward([1, 2, 3], at: 0)
            try await first.unload()
            await card.stop()
        }
    }
}
