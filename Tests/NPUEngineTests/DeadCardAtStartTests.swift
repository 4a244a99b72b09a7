import AXCL
import AXCLSimulatorSupport
import EngineInterface
import NPUEngine
import TestSupport
import Testing

extension SimulatorBackedTests {
    /// A configured card that is missing or offline when the server starts (after a restart or a
    /// boot) is shown as failed with the reason; the cards that work take the models.
    @Suite(.enabled(if: Simulator.isAvailable)) struct DeadCardAtStart {
        static func settings(_ ids: [DeviceID]) -> CardSupervisionSettings {
            CardSupervisionSettings(deviceIDs: ids, telemetryInterval: 3600, engineTimeout: 5, recoveryAttempts: 1,
                                    enumerationTimeout: 1, openEnumerationTimeout: 0.5, backoff: 0.05)
        }

        /// One card listed and a second configured id the runtime does not list (pulled out, or a
        /// typo in AXLLAMA_DEVICES), and a listed card taken offline before the start.
        @Test(arguments: [false, true])
        func cardsThatWorkServeAndTheDeadOneIsShownFailedWithTheReason(listedButOffline: Bool) async throws {
            let directory = try TemporaryDirectory()
            let (library, control) = try Simulator.fresh()
            control.setDeviceCount(2)
            let listed = try AXCLRuntime(library: library).devices()
            let dead: DeviceID
            if listedButOffline {
                dead = listed[0]
                control.setDeviceOffline(dead.rawValue)
            } else {
                dead = DeviceID(listed.map(\.rawValue).max()! + 7)
            }
            let working = listed.first { $0 != dead }!
            let log = Replacement.Log()
            let pool = try await NPUCardPool.open(library: library, settings: Self.settings([dead, working]), report: log.report)
            #expect(pool.cards.map(\.device.id) == [working])

            let statuses = await pool.deviceStatuses()
            let shown = try #require(statuses.first { $0.id == Int(dead.rawValue) })
            #expect(shown.state == .failed)
            let reason = listedButOffline ? "it did not open" : "it is not in the runtime's device list"
            #expect(shown.detail?.contains(reason) == true, "\(shown.detail ?? "")")
            #expect(shown.detail?.contains("AXLLAMA_DEVICES") == true)
            #expect(shown.blockedModels.isEmpty, "a card dead from the start holds no model: a restart would not help")
            #expect(log.text.contains("NPU device \(dead.rawValue) is not used"), "\(log.text)")

            let engine = try await pool.place(try TinyModel.package(.configJSON, in: directory))
            #expect(engine.placement.map(\.device.id) == [working])
            _ = try await engine.forward(TinyModel.prompt(8, seed: 3), at: 0)
            try await engine.unload()
            for card in pool.cards { await card.stop() }
        }

        /// With no configured card working, opening fails as it does with no card at all.
        @Test func noConfiguredCardWorkingIsAnError() async throws {
            let (library, control) = try Simulator.fresh()
            control.setDeviceCount(1)
            let listed = try AXCLRuntime(library: library).devices()
            let missing = DeviceID(listed[0].rawValue + 9)
            await #expect(throws: NPUEngineError.self) {
                _ = try await NPUCardPool.open(library: library, settings: Self.settings([missing]))
            }
        }
    }
}
