import EngineInterface
import Logging
import Runtime

/// Turns successive health reports into the device status log: a line for every device or model
/// state change, a warning when a threshold is crossed (temperature, free CMM, repeated faults),
/// a line when it clears, and a periodic summary with the device figures.
public struct StatusLog: Sendable {
    public struct Entry: Sendable, Equatable {
        public let level: Logger.Level
        public let message: String
        public let metadata: [String: String]
    }

    let thresholds: HealthThresholds
    private var deviceStates: [String: DeviceStatus.State] = [:]
    private var modelStates: [String: ModelHealth.State] = [:]
    private var phase: ServingPhase?
    /// Warnings in force, by key (`temperature/axcl:1`), so each is logged once per crossing.
    private var activeWarnings: Set<String> = []
    /// Cumulative fault counts at the start of the current summary interval.
    private var faultBaseline: [String: Int] = [:]

    public init(thresholds: HealthThresholds) {
        self.thresholds = thresholds
    }

    /// The entries this report causes, given the reports seen before.
    public mutating func observe(_ report: HealthReport) -> [Entry] {
        var entries: [Entry] = []
        if phase != report.phase {
            entries.append(Entry(level: .info, message: "server \(report.phase.rawValue)", metadata: ["phase": report.phase.rawValue]))
            phase = report.phase
        }
        for device in report.devices {
            let previous = deviceStates.updateValue(device.state, forKey: device.name)
            if previous != device.state {
                let level: Logger.Level = [.ready, .initializing].contains(device.state) ? .info : (device.state == .degraded ? .warning : .error)
                var metadata = Self.figures(device)
                metadata["previous"] = previous?.rawValue ?? "none"
                entries.append(Entry(level: level, message: "device \(device.name) \(device.state.rawValue)" + (device.detail.map { ": \($0)" } ?? ""),
                                     metadata: metadata))
            }
            entries += thresholdEntries(device)
        }
        let models = Dictionary(report.models.map { ($0.name, $0.state) }, uniquingKeysWith: { first, _ in first })
        for (name, state) in models.sorted(by: { $0.key < $1.key }) where modelStates[name] != state {
            entries.append(Entry(level: [.missing, .failed].contains(state) ? .warning : .info, message: "model \(name) \(state.rawValue)",
                                 metadata: ["model": name, "state": state.rawValue]))
        }
        for name in modelStates.keys.sorted() where models[name] == nil {
            entries.append(Entry(level: .info, message: "model \(name) unloaded", metadata: ["model": name, "state": "unloaded"]))
        }
        modelStates = models
        return entries
    }

    /// The periodic summary; starts a new window for the repeated-fault warning.
    public mutating func summary(_ report: HealthReport) -> Entry {
        var metadata: [String: String] = [
            "status": report.isHealthy ? "ok" : "unavailable",
            "models": report.models.filter { $0.state == .resident }.map(\.name).joined(separator: ","),
            "queue": String(report.queueDepth),
            "uptime_s": String(Int(report.uptimeSeconds)),
        ]
        var parts: [String] = []
        for device in report.devices {
            let figures = Self.figures(device)
            for (key, value) in figures where key != "device" { metadata["\(device.name).\(key)"] = value }
            parts.append("\(device.name) \(device.state.rawValue)" + (device.temperatureCelsius.map { " \(Self.format($0))°C" } ?? ""))
            for (kind, count) in device.faultCounts { faultBaseline["\(device.name)/\(kind)"] = count }
        }
        if !report.isHealthy { metadata["reason"] = report.reasons.joined(separator: "; ") }
        let devices = parts.isEmpty ? "no devices" : parts.joined(separator: ", ")
        return Entry(level: .info, message: "status: \(report.isHealthy ? "ok" : "unavailable"); \(devices); \(report.models.count) model(s); queue \(report.queueDepth)",
                     metadata: metadata)
    }

    private mutating func thresholdEntries(_ device: DeviceStatus) -> [Entry] {
        var entries: [Entry] = []
        let figures = Self.figures(device)
        func track(_ key: String, active: Bool, warning: @autoclosure () -> String, cleared: @autoclosure () -> String) {
            let id = "\(key)/\(device.name)"
            if active, activeWarnings.insert(id).inserted {
                entries.append(Entry(level: .warning, message: warning(), metadata: figures))
            } else if !active, activeWarnings.remove(id) != nil {
                entries.append(Entry(level: .info, message: cleared(), metadata: figures))
            }
        }
        if let celsius = device.temperatureCelsius {
            let level = ThermalGuard(thresholds: thresholds).level(celsius: celsius)
            let action = thresholds.highTemperatureAction == .cap ? "num_predict capped at \(thresholds.highTemperatureNumPredict)" : "new generations delayed"
            track("temperature-warn", active: level >= .warm,
                  warning: "device \(device.name) is warm: \(Self.format(celsius)) °C (warning at \(Self.format(thresholds.warnCelsius)) °C)",
                  cleared: "device \(device.name) cooled below \(Self.format(thresholds.warnCelsius)) °C")
            track("temperature-high", active: level >= .high,
                  warning: "device \(device.name) is hot: \(Self.format(celsius)) °C; \(action) above \(Self.format(thresholds.highCelsius)) °C",
                  cleared: "device \(device.name) cooled below \(Self.format(thresholds.highCelsius)) °C; generations run normally")
            track("temperature-critical", active: level >= .critical,
                  warning: "device \(device.name) is too hot: \(Self.format(celsius)) °C; requests get 503 above \(Self.format(thresholds.criticalCelsius)) °C",
                  cleared: "device \(device.name) cooled below \(Self.format(thresholds.criticalCelsius)) °C; requests accepted again")
        }
        if let total = device.cmmTotalBytes, let used = device.cmmUsedBytes {
            let freeMiB = Int((total - min(used, total)) / (1024 * 1024))
            track("cmm", active: freeMiB < thresholds.cmmWarnMiB,
                  warning: "device \(device.name) has \(freeMiB) MiB CMM free (warning below \(thresholds.cmmWarnMiB) MiB); unload a model or lower num_ctx",
                  cleared: "device \(device.name) has \(freeMiB) MiB CMM free again")
        }
        for (kind, count) in device.faultCounts.sorted(by: { $0.key < $1.key }) {
            let key = "\(device.name)/\(kind)"
            let recent = count - (faultBaseline[key] ?? 0)
            let id = "faults-\(kind)/\(device.name)"
            if recent >= thresholds.repeatedFaultCount, activeWarnings.insert(id).inserted {
                var metadata = figures
                metadata["fault"] = kind
                entries.append(Entry(level: .warning, message: "device \(device.name): \(recent) \(kind) faults since the last status summary",
                                     metadata: metadata))
            } else if recent < thresholds.repeatedFaultCount {
                activeWarnings.remove(id)
            }
        }
        return entries
    }

    /// The device figures as log metadata.
    static func figures(_ device: DeviceStatus) -> [String: String] {
        var metadata = ["device": device.name, "state": device.state.rawValue]
        if let celsius = device.temperatureCelsius { metadata["temperature_c"] = format(celsius) }
        if let used = device.cmmUsedBytes { metadata["cmm_used_mib"] = String(used / (1024 * 1024)) }
        if let total = device.cmmTotalBytes { metadata["cmm_total_mib"] = String(total / (1024 * 1024)) }
        if let load = device.npuLoadPercent { metadata["npu_load_pct"] = format(load) }
        if let load = device.cpuLoadPercent { metadata["cpu_load_pct"] = format(load) }
        let faults = device.faultCounts.values.reduce(0, +)
        if faults > 0 { metadata["faults"] = String(faults) }
        if device.recoveryCount > 0 { metadata["recoveries"] = String(device.recoveryCount) }
        return metadata
    }

    static func format(_ value: Double) -> String { ThermalGuard.format(value) }
}
