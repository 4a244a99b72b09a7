import Foundation
import Logging
import Runtime
import Server
import ServiceLifecycle
import Testing
import TestSupport
import EngineInterface

@Suite struct ServingLifecycleTests {
    static let quiet: Logger = {
        var logger = Logger(label: "lifecycle-test")
        logger.logLevel = .critical
        return logger
    }()

    func lifecycleSendsReadyWatchdogAndStopping(socketName: String) async throws {
        let listener = try NotifySocketListener(name: socketName)
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socketName, "WATCHDOG_USEC": "200000"])
        #expect(notifier.watchdogInterval == .milliseconds(100))
        let lifecycle = ServingLifecycle(models: server.models, notifier: notifier, logger: Self.quiet, pollInterval: .milliseconds(50))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [lifecycle], logger: Self.quiet))
        let running = Task { try await group.run() }
        lifecycle.listening(on: 0)

        // Generous deadlines: the suite runs beside model tests that can hold both cores for tens
        // of seconds; each wait ends as soon as its messages arrive.
        let started = await listener.receive(within: 90) { messages in
            messages.contains { $0.contains("READY=1") } && messages.filter { $0.contains("WATCHDOG=1") }.count >= 2
        }
        #expect(started.contains { $0.split(separator: "\n").contains("READY=1") })
        #expect(started.filter { $0.split(separator: "\n").contains("WATCHDOG=1") }.count >= 2)
        #expect(started.contains { $0.contains("STATUS=") })
        #expect(server.models.observability.health.phase == .serving)

        await group.triggerGracefulShutdown()
        try await running.value
        let stopping = await listener.receive(within: 60) { messages in messages.contains { $0.contains("STOPPING=1") } }
        #expect(stopping.contains { $0.split(separator: "\n").contains("STOPPING=1") })
        #expect(server.models.observability.health.phase == .draining)
    }

    @Test func notifiesSystemdOverAPathSocket() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("axllama-notify-\(UUID().uuidString.prefix(8))").path
        try await lifecycleSendsReadyWatchdogAndStopping(socketName: path)
    }

    @Test func notifiesSystemdOverAnAbstractSocket() async throws {
        try await lifecycleSendsReadyWatchdogAndStopping(socketName: "@axllama-notify-\(UUID().uuidString.prefix(8))")
    }

    @Test func watchdogPingsStopWhileADeviceIsWedged() async throws {
        let name = "@axllama-wedged-\(UUID().uuidString.prefix(8))"
        let listener = try NotifySocketListener(name: name)
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let monitor = FakeDeviceMonitor([FakeDeviceMonitor.card(state: .wedged)])
        server.models.observability.health.register(monitor)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name, "WATCHDOG_USEC": "100000"])
        let lifecycle = ServingLifecycle(models: server.models, notifier: notifier, logger: Self.quiet, pollInterval: .milliseconds(20))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [lifecycle], logger: Self.quiet))
        let running = Task { try await group.run() }
        lifecycle.listening(on: 0)
        let ready = await listener.receive(within: 90) { messages in messages.contains { $0.contains("READY=1") } }
        #expect(ready.contains { $0.contains("READY=1") })
        let wedged = await listener.receive(within: 0.5) { _ in false }
        #expect(!(ready + wedged).contains { $0.contains("WATCHDOG=1") })
        monitor.update { $0.state = .ready }
        let healed = await listener.receive(within: 90) { messages in messages.contains { $0.contains("WATCHDOG=1") } }
        #expect(healed.contains { $0.contains("WATCHDOG=1") })
        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test func notifierIsSilentOutsideSystemd() throws {
        let notifier = SystemdNotifier(environment: [:])
        #expect(!notifier.isEnabled)
        #expect(notifier.watchdogInterval == nil)
        try notifier.notify("READY=1")
    }

    @Test func watchdogIsOffWhenMeantForAnotherProcess() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"])
        #expect(notifier.watchdogInterval == nil)
    }

    @Test func generationsGetMostOfTheGracePeriod() {
        #expect(ServingLifecycle.generationAllowance(grace: .seconds(30)) == .seconds(27))
        #expect(ServingLifecycle.generationAllowance(grace: .seconds(2)) == .seconds(1))
    }

    @Test func drainEndsAStreamInFlightWithAFinalErrorLine() async throws {
        let engines = EngineCapture()
        let server = try await TestServer(endless: ["scripted:latest"], tokenDelayNanoseconds: 2_000_000,
                                          wrapEngine: ["scripted:latest": { engines.keep($0) }])
        defer { Task { await server.stop() } }
        let observability = server.models.observability
        let streaming = Task { try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"hi"}"#) }
        while observability.drain.activeCount == 0 { try await Task.sleep(nanoseconds: 10_000_000) }
        // Past the prompt (2 ms per token), into the answer: wait until tokens have been generated,
        // however slowly the machine runs.
        let patience = ContinuousClock.now + .seconds(60)
        while engines.forwardCalls < 3, ContinuousClock.now < patience { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(engines.forwardCalls >= 3)
        observability.drain.stopAll()
        let answer = try await streaming.value
        let lines = answer.text.split(separator: "\n")
        #expect(lines.count >= 2, "\(answer.text)")
        #expect(lines.last == #"{"error":"the server is shutting down"}"#)
        // Later generations are stopped at once.
        let late = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"hi","stream":false}"#)
        #expect(late.status == 503)
    }
}

/// Keeps the engines a test server builds, to watch a generation's progress from the test.
final class EngineCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var engines: [ScriptedEngine] = []

    func keep(_ engine: any InferenceEngine) -> any InferenceEngine {
        if let scripted = engine as? ScriptedEngine { lock.withLock { engines.append(scripted) } }
        return engine
    }

    var forwardCalls: Int { lock.withLock { engines.map(\.record.forwardCalls).reduce(0, +) } }
}
