import EngineInterface
import Foundation
import Logging
import Runtime
import Server
import Testing

@Suite struct StatusLogTests {
    func report(_ devices: [DeviceStatus], models: [ModelHealth] = [], phase: ServingPhase = .serving) -> HealthReport {
        HealthReport(phase: phase, reasons: [], devices: devices, models: models, queueDepth: 0, uptimeSeconds: 12)
    }

    @Test func stateChangesAreLoggedOnce() {
        var log = StatusLog(thresholds: HealthThresholds())
        let first = log.observe(report([FakeDeviceMonitor.card()]))
        #expect(first.map(\.message) == ["server serving", "device axcl:1 ready"])
        #expect(first[1].metadata["temperature_c"] == "45")
        #expect(first[1].metadata["cmm_total_mib"] == "7040")
        #expect(log.observe(report([FakeDeviceMonitor.card()])).isEmpty)
        var recovering = FakeDeviceMonitor.card(state: .recovering)
        recovering.detail = "resetting"
        let change = log.observe(report([recovering]))
        #expect(change.map(\.message) == ["device axcl:1 recovering: resetting"])
        #expect(change[0].level == .error)
        #expect(change[0].metadata["previous"] == "ready")
    }

    @Test func modelChangesAreLogged() {
        var log = StatusLog(thresholds: HealthThresholds())
        _ = log.observe(report([]))
        let loading = log.observe(report([], models: [ModelHealth(name: "m", state: .loading, isPinned: true)]))
        #expect(loading.map(\.message) == ["model m loading"])
        let resident = log.observe(report([], models: [ModelHealth(name: "m", state: .resident, isPinned: true)]))
        #expect(resident.map(\.message) == ["model m resident"])
        #expect(log.observe(report([])).map(\.message) == ["model m unloaded"])
    }

    @Test func temperatureWarningsFireOnCrossingAndClearOnCooling() {
        var log = StatusLog(thresholds: HealthThresholds())
        _ = log.observe(report([FakeDeviceMonitor.card()]))
        let hot = log.observe(report([FakeDeviceMonitor.card(celsius: 86)]))
        #expect(hot.map(\.level) == [.warning, .warning])
        #expect(hot[1].message.contains("is hot: 86 °C; num_predict capped at 128"))
        #expect(log.observe(report([FakeDeviceMonitor.card(celsius: 87)])).isEmpty)
        let cooled = log.observe(report([FakeDeviceMonitor.card(celsius: 50)]))
        #expect(cooled.count == 2)
        #expect(cooled.allSatisfy { $0.level == .info && $0.message.contains("cooled below") })
    }

    @Test func lowFreeCmmAndRepeatedFaultsWarn() {
        var thresholds = HealthThresholds()
        thresholds.repeatedFaultCount = 2
        var log = StatusLog(thresholds: thresholds)
        var card = FakeDeviceMonitor.card()
        card.cmmUsedBytes = (7040 - 100) << 20
        card.faultCounts = ["timeout": 1]
        let first = log.observe(report([card]))
        #expect(first.contains { $0.level == .warning && $0.message.contains("100 MiB CMM free") })
        #expect(!first.contains { $0.message.contains("faults") })
        card.faultCounts = ["timeout": 2]
        #expect(log.observe(report([card])).contains { $0.message == "device axcl:1: 2 timeout faults since the last status summary" })
        // A summary starts a new window: the same cumulative count is no longer "repeated".
        let summary = log.summary(report([card]))
        #expect(summary.message.contains("axcl:1 ready 45°C"))
        #expect(summary.metadata["axcl:1.temperature_c"] == "45")
        card.faultCounts = ["timeout": 3]
        #expect(!log.observe(report([card])).contains { $0.message.contains("faults since") })
    }

    @Test func plainLinesCarryPriorityUnderJournaldAndJsonLinesParse() throws {
        let plain = LogLineHandler(label: "axllama", format: .plain(journald: true), level: .info)
        let line = plain.line(level: .warning, message: "device axcl:1 is hot", metadata: ["device": "axcl:1", "note": "two words"],
                              date: Date(timeIntervalSince1970: 0))
        #expect(line == "<4>device axcl:1 is hot device=axcl:1 note=\"two words\"\n")
        let terminal = LogLineHandler(label: "axllama", format: .plain(journald: false), level: .info)
        #expect(terminal.line(level: .info, message: "ready", metadata: [:], date: Date(timeIntervalSince1970: 0))
            == "1970-01-01T00:00:00Z info axllama: ready\n")
        let json = LogLineHandler(label: "axllama", format: .json, level: .info)
        let object = try JSONDecoder().decode([String: String].self, from: Data(json.line(level: .error, message: "x \"y\"", metadata: ["device": "axcl:1"],
                                                                                          date: Date(timeIntervalSince1970: 0)).utf8))
        #expect(object == ["time": "1970-01-01T00:00:00Z", "level": "error", "label": "axllama", "message": "x \"y\"", "device": "axcl:1"])
    }
}
