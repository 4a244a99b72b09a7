import EngineInterface
import Runtime
import Server
import Testing

/// When the systemd watchdog pings stop (and systemd restarts the server): only when a restart,
/// which opens the runtime and every card afresh, can bring back something that is unavailable.
@Suite struct WatchdogRestartRuleTests {
    static func card(_ id: Int, _ state: DeviceStatus.State, blocking models: [String] = []) -> DeviceStatus {
        DeviceStatus(id: id, name: "axcl:\(id)", state: state, blockedModels: models)
    }

    static func report(_ devices: [DeviceStatus]) -> HealthReport {
        HealthReport(phase: .serving, reasons: [], devices: devices, models: [], queueDepth: 0, uptimeSeconds: 1)
    }

    static func alive(_ devices: DeviceStatus...) -> Bool { ServingLifecycle.isAlive(report(devices)) }

    @Test func machineWithoutCardsOrWithWorkingCardsIsAlive() {
        #expect(Self.alive())
        #expect(Self.alive(Self.card(1, .ready), Self.card(2, .degraded)))
    }

    @Test func recoveringCardIsAliveWhileItsLadderRuns() {
        #expect(Self.alive(Self.card(1, .recovering, blocking: ["smollm2"]), Self.card(2, .ready)))
    }

    @Test func failedCardWhoseModelsWereMovedKeepsThePingsGoing() {
        #expect(Self.alive(Self.card(1, .failed), Self.card(2, .ready)))
        #expect(Self.alive(Self.card(1, .wedged), Self.card(2, .ready)))
    }

    @Test func failedOrWedgedCardStillHoldingAModelStopsThePings() {
        #expect(!Self.alive(Self.card(1, .failed, blocking: ["smollm2"]), Self.card(2, .ready)))
        #expect(!Self.alive(Self.card(1, .ready), Self.card(2, .wedged, blocking: ["qwen"])))
    }

    @Test func noWorkingCardLeftStopsThePingsEvenWithNoModelHeld() {
        #expect(!Self.alive(Self.card(1, .failed)))
        #expect(!Self.alive(Self.card(1, .failed), Self.card(2, .wedged)))
        #expect(Self.alive(Self.card(1, .failed), Self.card(2, .recovering)))
    }
}
