import AXCL
import AXCLSimulatorSupport
import EngineInterface
import Foundation
import NPUEngine
import Testing

extension SimulatorBackedTests {
    /// Telemetry, fault classification, the recovery ladder and the watchdog, each driven by the
    /// simulator's fault injection (axera.md §5, §7.9).
    @Suite(.enabled(if: Simulator.isAvailable)) struct CardSupervision {
        /// Fast settings: the ladder's waits are bounded by tenths of a second.
        static let quick = CardSupervisionSettings(telemetryInterval: 3600, engineTimeout: 5, recoveryAttempts: 3, enumerationTimeout: 5,
                                                   backoff: 0.05)

        struct Fixture {
            let directory: TemporaryDirectory
            let control: SimulatorControl
            let supervisor: CardSupervisor
            let engine: NPUEngine

            static func make(_ settings: CardSupervisionSettings = quick) async throws -> Fixture {
                let directory = try TemporaryDirectory()
                let package = try TinyModel.package(.configJSON, in: directory)
                let (library, control) = try Simulator.fresh()
                let supervisor = try await CardSupervisor.open(library: library, settings: settings)
                let engine = try await supervisor.loadEngine(package)
                return Fixture(directory: directory, control: control, supervisor: supervisor, engine: engine)
            }

            /// The prompt cached, then the logits of one more token, as the reference a recovered card must reproduce.
            func reference(prompt: [Int32], next: Int32) async throws -> [Float] {
                _ = try await engine.forward(prompt, at: 0)
                let logits = try await engine.forward([next], at: prompt.count).values
                await engine.truncateCache(to: prompt.count)
                return logits
            }
        }

        /// Per-request NPU timings: the counters' difference over one request.
        @Test func requestTimingsCountThatRequestOnly() async throws {
            let f = try await Fixture.make()
            _ = try await f.engine.forward(TinyModel.prompt(200, seed: 2), at: 0)
            let before = await f.engine.counters()
            _ = try await f.engine.forward(TinyModel.prompt(130, seed: 3), at: 200)
            for step in 0 ..< 3 { _ = try await f.engine.forward([5], at: 330 + step) }
            let request = await f.engine.counters().since(before)
            #expect(request.prefillChunks == 2)
            #expect(request.decodeSteps == 3)
            #expect(request.executes == 2 * TinyModel.layers + 1 + 3 * (TinyModel.layers + 1))
            #expect(request.prefillSeconds > 0 && request.decodeSeconds > 0 && request.executeSeconds > 0)
            #expect(request.summary.hasPrefix("prefill 2 chunks"))
            try await f.engine.unload()
        }

        @Test func telemetryFollowsTheSimulatedState() async throws {
            let f = try await Fixture.make()
            f.control.setTemperature(63_500)
            f.control.setLoads(cpu: 2_500, npu: 7_300)
            await f.supervisor.pollOnce()
            var status = f.supervisor.status
            #expect(status.state == .ready)
            #expect(status.temperatureCelsius == 63.5)
            #expect(status.cpuLoadPercent == 25)
            #expect(status.npuLoadPercent == 73)
            #expect(status.cmmTotalBytes == 7040 * 1024 * 1024)
            #expect((status.cmmUsedBytes ?? 0) > 0, "the loaded model occupies CMM")
            #expect(status.firmwareVersion?.contains("V3.10.2") == true)

            f.control.setTemperature(88_250)
            f.control.setLoads(cpu: 100, npu: 0)
            await f.supervisor.pollOnce()
            status = f.supervisor.status
            #expect(status.temperatureCelsius == 88.25)
            #expect(status.cpuLoadPercent == 1)
            #expect(status.npuLoadPercent == 0)
            try await f.engine.unload()
        }

        /// The card drops off the bus mid-request: the request fails with the runtime's error, the
        /// ladder reboots the card, waits for it, reloads the model and its cached prompt, and the
        /// next request gets exactly what it would have got without the fault.
        @Test func lostCardFailsTheRequestAndRecoversWithTheCachedPrefix() async throws {
            let f = try await Fixture.make()
            let prompt = TinyModel.prompt(150, seed: 21), next: Int32 = 17
            let expected = try await f.reference(prompt: prompt, next: next)
            f.control.setRebootDuration(seconds: 0.3)
            f.control.setOfflineAfterExecutes(1)

            await #expect { _ = try await f.engine.forward([next], at: prompt.count) } throws: { error in
                guard case let .device(axcl) = error as? NPUEngineError else { return false }
                return axcl.kind == .deviceFault
            }
            // The ladder's reboot heals the card (the simulator clears the injected drop, as a reboot does in the field).
            await f.supervisor.waitForRecovery()
            let status = f.supervisor.status
            #expect(status.state == .ready, "\(status.detail ?? "")")
            #expect(status.recoveryCount == 1)
            #expect(status.faultCounts["device fault"] == 1)
            #expect(await f.engine.cachedCount() == prompt.count, "the cached prompt was computed again")

            let after = try await f.engine.forward([next], at: prompt.count).values
            #expect(differences(after, expected) == 0)
            try await f.engine.unload()
        }

        /// A card that falls off the bus again after every reboot: each round of the ladder fails
        /// while reloading, and after the configured attempts the card is `failed` with the last
        /// error and what to do; requests are refused from then on.
        @Test func cardThatNeverHealsFailsAfterTheAttempts() async throws {
            var settings = Self.quick
            settings.recoveryAttempts = 2
            let f = try await Fixture.make(settings)
            _ = try await f.engine.forward(TinyModel.prompt(10, seed: 6), at: 0)
            f.control.setOfflineSurvivesReboot(true)
            f.control.setOfflineAfterExecutes(1)
            await #expect(throws: NPUEngineError.self) { _ = try await f.engine.forward([3], at: 10) }
            await f.supervisor.waitForRecovery()
            let status = f.supervisor.status
            #expect(status.state == .failed, "\(status.detail ?? "")")
            #expect(status.recoveryCount == 0)
            let detail = status.detail ?? ""
            #expect(detail.contains("2 attempt(s)") && detail.contains("power-cycle"), "\(detail)")
            #expect(detail.contains("ENGINE_EXECUTE_FAIL") || detail.contains("DEVICE_NO_CONNECT"), "\(detail)")
            await #expect { _ = try await f.engine.forward([3], at: 10) } throws: { error in
                (error as? EngineUnavailableError)?.reason.contains("is failed") == true
            }
            #expect(await f.engine.health().detail?.contains("the NPU card axcl:") == true)
        }

        /// A transient ENGINE_EXECUTE_FAIL also goes through the ladder; the device list staying
        /// empty for a while after the reboot (the enumeration race) is waited out.
        @Test func executeErrorAndEnumerationDelayAreRecovered() async throws {
            let f = try await Fixture.make()
            let prompt = TinyModel.prompt(40, seed: 3), next: Int32 = 5
            let expected = try await f.reference(prompt: prompt, next: next)
            f.control.setExecuteError(at: 2)
            await #expect(throws: NPUEngineError.self) { _ = try await f.engine.forward([next], at: prompt.count) }
            f.control.setDeviceListEmpty(seconds: 0.4)
            await f.supervisor.waitForRecovery()
            #expect(f.supervisor.status.state == .ready)
            let after = try await f.engine.forward([next], at: prompt.count).values
            #expect(differences(after, expected) == 0)
            try await f.engine.unload()
        }

        /// While the card recovers, requests are refused with the unavailable error (503), not queued on the card.
        @Test func requestsDuringRecoveryAreRefused() async throws {
            let f = try await Fixture.make()
            f.control.setRebootDuration(seconds: 0.5)
            f.control.setOfflineAfterExecutes(1)
            await #expect(throws: NPUEngineError.self) { _ = try await f.engine.forward([1, 2, 3], at: 0) }
            f.control.setOfflineAfterExecutes(0)
            #expect(f.supervisor.status.state == .recovering)
            #expect(await f.engine.health().state == .recovering)
            await #expect(throws: EngineUnavailableError.self) { _ = try await f.engine.forward([1], at: 0) }
            await f.supervisor.waitForRecovery()
            #expect(await f.engine.health() == .ready)
            _ = try await f.engine.forward([1, 2, 3], at: 0)
            try await f.engine.unload()
        }

        /// A card that vanishes while idle is found by the telemetry poll and recovered before
        /// the next visitor's request.
        @Test func cardLostWhileIdleIsFoundByTelemetryAndRecovered() async throws {
            let f = try await Fixture.make()
            let prompt = TinyModel.prompt(20, seed: 4)
            let expected = try await f.reference(prompt: prompt, next: 6)
            f.control.setDeviceOffline(f.supervisor.device.id.rawValue)
            await f.supervisor.pollOnce()
            // The poll started the ladder; on a card that reboots at once the ladder may already
            // be done by the time this task runs again, so the state alone proves nothing here.
            let found = f.supervisor.status
            #expect(found.state == .recovering || (found.state == .ready && found.recoveryCount >= 1), "\(found)")
            // The supervisor's own first poll, started at open, may run late and see the loss too.
            #expect((1 ... 2).contains(found.faultCounts["device lost"] ?? 0))
            await f.supervisor.waitForRecovery()
            #expect(f.supervisor.status.state == .ready)
            #expect(f.supervisor.status.recoveryCount >= 1)
            #expect(differences(try await f.engine.forward([6], at: prompt.count).values, expected) == 0)
            try await f.engine.unload()
        }

        /// The card resets itself at Tj 120 °C (axera.md §1.1): it stays lost while it is that hot,
        /// so recovery fails until it has cooled down, and succeeds once it has.
        @Test func overheatedCardRecoversOnlyOnceItHasCooledDown() async throws {
            var settings = Self.quick
            settings.recoveryAttempts = 4
            settings.backoff = 0.2
            let f = try await Fixture.make(settings)
            f.control.setTemperature(121_000)
            await #expect(throws: NPUEngineError.self) { _ = try await f.engine.forward([1, 2], at: 0) }
            try await Task.sleep(for: .milliseconds(150))
            #expect(f.supervisor.status.state == .recovering)
            f.control.setTemperature(60_000)
            await f.supervisor.waitForRecovery()
            let status = f.supervisor.status
            #expect(status.state == .ready, "\(status.detail ?? "")")
            #expect(status.recoveryCount == 1)
            _ = try await f.engine.forward([1, 2], at: 0)
            await f.supervisor.pollOnce()
            #expect(f.supervisor.status.temperatureCelsius == 60)
            try await f.engine.unload()
        }

        /// A card that does not come back within the bounds fails with a message a person can act on.
        @Test func recoveryGivesUpAfterTheConfiguredAttempts() async throws {
            var settings = Self.quick
            settings.recoveryAttempts = 2
            settings.enumerationTimeout = 0.2
            let f = try await Fixture.make(settings)
            f.control.setRebootDuration(seconds: 30)
            f.control.setOfflineAfterExecutes(1)
            await #expect(throws: NPUEngineError.self) { _ = try await f.engine.forward([1, 2], at: 0) }
            await f.supervisor.waitForRecovery()
            let status = f.supervisor.status
            #expect(status.state == .failed)
            #expect(status.recoveryCount == 0)
            let detail = status.detail ?? ""
            #expect(detail.contains("2 attempt(s)") && detail.contains("axcl-smi") && detail.contains("power-cycle"), "\(detail)")
            #expect(detail.contains("did not reappear"), "\(detail)")
            await #expect(throws: EngineUnavailableError.self) { _ = try await f.engine.forward([1], at: 0) }
            #expect(await f.engine.health().state == .failed)
        }

        /// An execute that never returns: the watchdog answers the caller, the card is wedged and
        /// refuses requests; when the call returns after all, the card is recovered.
        @Test func hungExecuteWedgesTheCardUntilItReturns() async throws {
            var settings = Self.quick
            settings.engineTimeout = 0.3
            let f = try await Fixture.make(settings)
            f.control.setHang(at: 2)
            let started = Date()
            await #expect { _ = try await f.engine.forward([4, 5, 6], at: 0) } throws: { error in
                (error as? EngineUnavailableError)?.reason.contains("wedged") == true
            }
            #expect(Date().timeIntervalSince(started) < 3, "the watchdog answered within a few timeouts")
            var status = f.supervisor.status
            #expect(status.state == .wedged)
            #expect(status.faultCounts["timeout"] == 1)
            #expect(status.detail?.contains("restart axllama") == true)
            // Nothing waits on the stuck device thread: a request is refused, a truncation and an
            // unload return at once (the session above and the scheduler's eviction go on).
            let refused = Date()
            await #expect(throws: EngineUnavailableError.self) { _ = try await f.engine.forward([1], at: 0) }
            await f.engine.truncateCache(to: 0)
            #expect(Date().timeIntervalSince(refused) < 2, "behind a hung call the watchdog answers within a tick")
            #expect(f.supervisor.status.faultCounts["timeout"] == 1, "the wedge is counted once")

            f.control.releaseHangs()
            // The late return starts the ladder; wait until it has been picked up and has ended.
            for _ in 0 ..< 100 where f.supervisor.status.state == .wedged { try await Task.sleep(for: .milliseconds(20)) }
            await f.supervisor.waitForRecovery()
            status = f.supervisor.status
            #expect(status.state == .ready, "\(status.detail ?? "")")
            #expect(status.recoveryCount == 1)
            _ = try await f.engine.forward([4, 5, 6], at: 0)
            try await f.engine.unload()
        }

        /// A call of the recovery ladder hangs (here the first execute of the reload that computes
        /// the cached prompt again): the watchdog ends the ladder with the card `wedged` and a
        /// detail naming the step, requests are refused at once, and when the call returns after
        /// all the ladder runs again and the card answers exactly as before the fault.
        @Test func hangDuringRecoveryWedgesTheCardUntilTheCallReturns() async throws {
            var settings = Self.quick
            settings.engineTimeout = 1
            let f = try await Fixture.make(settings)
            let prompt = TinyModel.prompt(40, seed: 8), next: Int32 = 7
            let expected = try await f.reference(prompt: prompt, next: next)
            f.control.setExecuteError(at: 1)
            f.control.setHang(at: 2)
            await #expect(throws: NPUEngineError.self) { _ = try await f.engine.forward([next], at: prompt.count) }
            await f.supervisor.waitForRecovery()
            var status = f.supervisor.status
            #expect(status.state == .wedged, "\(status.detail ?? "")")
            let detail = status.detail ?? ""
            #expect(detail.contains("recovery step reloading") && detail.contains("restart axllama"), "\(detail)")
            #expect(status.faultCounts["timeout"] == 1)
            #expect(await f.engine.health().state == .failed)

            let refused = Date()
            await #expect { _ = try await f.engine.forward([next], at: prompt.count) } throws: { error in
                (error as? EngineUnavailableError)?.reason.contains("is wedged") == true
            }
            await f.engine.truncateCache(to: prompt.count)
            #expect(Date().timeIntervalSince(refused) < 3)

            f.control.releaseHangs()
            for _ in 0 ..< 200 where f.supervisor.status.state == .wedged { try await Task.sleep(for: .milliseconds(20)) }
            await f.supervisor.waitForRecovery()
            status = f.supervisor.status
            #expect(status.state == .ready, "\(status.detail ?? "")")
            #expect(status.recoveryCount == 1)
            let after = try await f.engine.forward([next], at: prompt.count).values
            #expect(differences(after, expected) == 0)
            try await f.engine.unload()
        }

        /// A second model on the same card waits behind the hung execute on the device thread:
        /// the watchdog answers its request too.
        @Test func requestQueuedBehindAHungExecuteIsAnsweredToo() async throws {
            var settings = Self.quick
            settings.engineTimeout = 0.3
            let f = try await Fixture.make(settings)
            let other = try await f.supervisor.loadEngine(try TinyModel.package(.runScript, in: f.directory))
            f.control.setHang(at: 1)
            let engine = f.engine
            let first = Task { _ = try await engine.forward([1, 2], at: 0) }
            try await Task.sleep(for: .milliseconds(50))
            let second = Task { _ = try await other.forward([3, 4], at: 0) }
            await #expect(throws: EngineUnavailableError.self) { try await first.value }
            await #expect(throws: EngineUnavailableError.self) { try await second.value }
            #expect(f.supervisor.status.state == .wedged)
            f.control.releaseHangs()
            for _ in 0 ..< 100 where f.supervisor.status.state == .wedged { try await Task.sleep(for: .milliseconds(20)) }
            await f.supervisor.waitForRecovery()
            #expect(f.supervisor.status.state == .ready)
            _ = try await other.forward([3, 4], at: 0)
            try await other.unload()
            try await f.engine.unload()
        }

        /// CMM exhaustion while loading is not a device fault: the load fails cleanly, the card stays ready.
        @Test func exhaustedCMMDuringLoadFailsOnlyTheLoad() async throws {
            let f = try await Fixture.make()
            let package = try TinyModel.package(.runScript, in: f.directory)
            f.control.setCMMExhausted(atLoad: 2)
            await #expect(throws: (any Error).self) { _ = try await f.supervisor.loadEngine(package) }
            #expect(f.supervisor.status.state == .ready)
            f.control.setCMMExhausted(atLoad: 0) // sticky until cleared
            _ = try await f.engine.forward([1, 2], at: 0)
            let second = try await f.supervisor.loadEngine(package)
            try await second.unload()
            try await f.engine.unload()
        }

        /// Right after a boot the device list stays empty for a while (axera.md §5): opening the
        /// cards waits for them, up to a bound, then says what to check.
        @Test func cardsListedLateAfterBootAreWaitedFor() async throws {
            var (library, control) = try Simulator.fresh()
            control.setDeviceListEmpty(seconds: 0.5)
            let started = Date()
            let pool = try await NPUCardPool.open(library: library, settings: Self.quick)
            #expect(Date().timeIntervalSince(started) >= 0.4)
            #expect(pool.cards.count == 1 && pool.cards[0].status.state == .ready)
            await pool.cards[0].stop()

            (library, control) = try Simulator.fresh()
            control.setDeviceListEmpty(seconds: 30)
            var impatient = Self.quick
            impatient.openEnumerationTimeout = 0.3
            await #expect { _ = try await NPUCardPool.open(library: library, settings: impatient) } throws: { error in
                "\(error)".contains("lists no devices") && "\(error)".contains("axcl-smi")
            }
        }

        /// Models go one per card, to the first card that takes work and has the CMM for it.
        @Test func modelsArePlacedOnTheFirstCardWithRoom() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            let (library, control) = try Simulator.fresh()
            control.setDeviceCount(2)
            control.setCMMBudget(mebibytes: 64)
            let runtime = try AXCLRuntime(library: library)
            let ids = try runtime.devices()
            #expect(ids.count == 2)
            var settings = Self.quick
            settings.deviceIDs = ids
            let pool = try await NPUCardPool.open(library: library, settings: settings)
            #expect(await pool.deviceStatuses().map(\.id) == ids.map { Int($0.rawValue) })

            let options = NPUEngineOptions(cmmFloorMiB: 1)
            let first = try await pool.place(package, options: options)
            #expect(first.device.id == ids[0])
            // Fill the first card's pool: the next model must go to the second card.
            let free = Int(try await pool.cards[0].device.properties().cmmFreeKiB)
            let filler = try await pool.cards[0].device.allocate(byteCount: (free - 256) << 10)
            let second = try await pool.place(package, options: options)
            #expect(second.device.id == ids[1])
            // A card that cannot take work is skipped too; with none left the error says why.
            pool.cards[1].health.set(.failed, detail: "test")
            await #expect { _ = try await pool.place(package, options: options) } throws: { error in
                "\(error)".contains("axcl:\(ids[1].rawValue) is failed") && "\(error)".contains("CMM free")
            }
            try await pool.cards[0].device.free(filler)
            try await first.unload()
            try await second.unload()
        }
    }
}

@Suite struct CardSupervisionSettingsTests {
    @Test func environmentVariablesAreRead() throws {
        let settings = try CardSupervisionSettings.fromEnvironment([
            "AXLLAMA_DEVICES": "129, 130", "AXLLAMA_TELEMETRY_INTERVAL": "10s", "AXLLAMA_ENGINE_TIMEOUT": "1500ms",
            "AXLLAMA_RECOVERY_ATTEMPTS": "5", "AXLLAMA_PREFIX_CACHE_DIR": "/var/cache/axllama",
        ])
        #expect(settings.deviceIDs == [DeviceID(129), DeviceID(130)])
        #expect(settings.telemetryInterval == 10)
        #expect(settings.engineTimeout == 1.5)
        #expect(settings.recoveryAttempts == 5)
        #expect(settings.prefixCacheDirectory == "/var/cache/axllama")
        #expect(settings.engineOptions().prefixCacheDirectory?.path == "/var/cache/axllama")
    }

    @Test func defaultsApplyWhenUnset() throws {
        let settings = try CardSupervisionSettings.fromEnvironment([:])
        #expect(settings == CardSupervisionSettings())
        #expect(settings.telemetryInterval == 5 && settings.engineTimeout == 30 && settings.recoveryAttempts == 3)
    }

    @Test func badValuesNameTheVariable() {
        #expect { _ = try CardSupervisionSettings.fromEnvironment(["AXLLAMA_DEVICES": "0,x"]) } throws: {
            "\($0)".contains("AXLLAMA_DEVICES")
        }
        #expect { _ = try CardSupervisionSettings.fromEnvironment(["AXLLAMA_ENGINE_TIMEOUT": "soon"]) } throws: {
            "\($0)".contains("AXLLAMA_ENGINE_TIMEOUT")
        }
    }
}

extension SimulatorBackedTests {
    /// AXLLAMA_PREFIX_CACHE_DIR: the shared prompt prefix survives an unload (a boot) and a recovery.
    @Suite(.enabled(if: Simulator.isAvailable)) struct PrefixCachePersistence {
        @Test func restoredPrefixGivesTheLogitsOfAColdPrefill() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            let card = try await SimulatedCard.open()
            let options = NPUEngineOptions(prefixCacheDirectory: directory.file("prefix-cache"))
            let system = TinyModel.prompt(140, seed: 31), next: Int32 = 9

            // A request, then another sharing only the system prompt: the session truncates to it.
            let first = try await NPUEngine.load(package, on: card.device, options: options)
            _ = try await first.forward(system + TinyModel.prompt(20, seed: 32), at: 0)
            await first.truncateCache(to: system.count)
            #expect(await first.counters().prefixCacheWrites == 1)
            #expect(await first.counters().prefixCacheError == nil)
            try await first.unload()

            let restored = try await NPUEngine.load(package, on: card.device, options: options)
            #expect(await restored.restoredPrefix() == system)
            #expect(await restored.cachedCount() == system.count)
            #expect(await restored.counters().executes == 0, "nothing was computed to get the prefix")
            let warm = try await restored.forward([next], at: system.count).values

            let cold = try await NPUEngine.load(package, on: card.device)
            #expect(await cold.restoredPrefix().isEmpty, "without a prefix cache directory nothing is restored")
            _ = try await cold.forward(system, at: 0)
            let expected = try await cold.forward([next], at: system.count).values
            #expect(differences(warm, expected) == 0)
            try await restored.unload()
            try await cold.unload()
        }

        @Test func aCorruptFileIsIgnored() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            let card = try await SimulatedCard.open()
            let cacheDirectory = directory.file("prefix-cache")
            let options = NPUEngineOptions(prefixCacheDirectory: cacheDirectory)
            let engine = try await NPUEngine.load(package, on: card.device, options: options)
            _ = try await engine.forward(TinyModel.prompt(30, seed: 1), at: 0)
            await engine.truncateCache(to: 20)
            try await engine.unload()
            for name in try FileManager.default.contentsOfDirectory(atPath: cacheDirectory.path) {
                let url = cacheDirectory.appendingPathComponent(name)
                var data = try Data(contentsOf: url)
                data.removeLast(7)
                try data.write(to: url)
            }
            let reloaded = try await NPUEngine.load(package, on: card.device, options: options)
            #expect(await reloaded.restoredPrefix().isEmpty)
            _ = try await reloaded.forward([1, 2, 3], at: 0)
            try await reloaded.unload()
        }

        /// After a recovery the persisted rows are written back instead of prefilling the prefix again.
        @Test func recoveryRestoresThePersistedPrefixInsteadOfRecomputingIt() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            let (library, control) = try Simulator.fresh()
            let supervisor = try await CardSupervisor.open(library: library, settings: CardSupervision.quick)
            let engine = try await supervisor.loadEngine(package, options: NPUEngineOptions(prefixCacheDirectory: directory.file("pc")))
            let system = TinyModel.prompt(130, seed: 41), next: Int32 = 12
            _ = try await engine.forward(system + [3, 4], at: 0)
            await engine.truncateCache(to: system.count)
            let expected = try await engine.forward([next], at: system.count).values
            await engine.truncateCache(to: system.count)

            control.setExecuteError(at: 1)
            await #expect(throws: NPUEngineError.self) { _ = try await engine.forward([next], at: system.count) }
            await supervisor.waitForRecovery()
            #expect(supervisor.status.state == .ready)
            let counters = await engine.counters()
            #expect(counters.prefixCacheRestoredPositions == system.count)
            #expect(counters.prefillChunks == 2, "only the two prefill chunks before the fault")
            let after = try await engine.forward([next], at: system.count).values
            #expect(differences(after, expected) == 0)
            try await engine.unload()
        }
    }
}
