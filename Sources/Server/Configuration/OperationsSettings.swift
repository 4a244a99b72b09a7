import Foundation
import Runtime

/// How the server logs, reports and protects itself when nobody is watching: the `AXLLAMA_*`
/// settings of logging, the status log, the thermal and memory guard, and shutdown.
public struct OperationsSettings: Sendable, Equatable {
    public enum LogFormat: String, Sendable, CaseIterable {
        case plain, json
    }

    /// `AXLLAMA_LOG_FORMAT`.
    public var logFormat: LogFormat = .plain
    /// `AXLLAMA_LOG_LEVEL` (trace … critical); `OLLAMA_DEBUG=1` means `debug`.
    public var logLevel = "info"
    /// Seconds between status summaries in the log (`AXLLAMA_STATUS_INTERVAL`, 60).
    public var statusIntervalSeconds: Double = 60
    /// Seconds a shutdown may take (`AXLLAMA_SHUTDOWN_GRACE`, 30: systemd's default
    /// TimeoutStopSec is 90 s, so the unit's stop never kills a draining server).
    public var shutdownGraceSeconds: Double = 30
    public var thresholds = HealthThresholds()

    public init() {}

    public init(environment: [String: String]) throws {
        let reader = EnvironmentReader(environment)
        if let text = reader.value("AXLLAMA_LOG_FORMAT") {
            guard let format = LogFormat(rawValue: text.lowercased()) else {
                throw ServerSettings.SettingError.invalid(variable: "AXLLAMA_LOG_FORMAT", value: text, expected: "plain or json")
            }
            logFormat = format
        }
        if reader.flag("OLLAMA_DEBUG") { logLevel = "debug" }
        if let text = reader.value("AXLLAMA_LOG_LEVEL") {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains(text.lowercased()) else {
                throw ServerSettings.SettingError.invalid(variable: "AXLLAMA_LOG_LEVEL", value: text, expected: levels.joined(separator: ", "))
            }
            logLevel = text.lowercased()
        }
        if let seconds = try reader.seconds("AXLLAMA_STATUS_INTERVAL") { statusIntervalSeconds = seconds }
        if let seconds = try reader.seconds("AXLLAMA_SHUTDOWN_GRACE") { shutdownGraceSeconds = seconds }
        if let value = try reader.number("AXLLAMA_TEMP_WARN") { thresholds.warnCelsius = value }
        if let value = try reader.number("AXLLAMA_TEMP_HIGH") { thresholds.highCelsius = value }
        if let value = try reader.number("AXLLAMA_TEMP_CRITICAL") { thresholds.criticalCelsius = value }
        guard thresholds.warnCelsius <= thresholds.highCelsius, thresholds.highCelsius <= thresholds.criticalCelsius else {
            throw ServerSettings.SettingError.invalid(
                variable: "AXLLAMA_TEMP_WARN/HIGH/CRITICAL",
                value: "\(thresholds.warnCelsius)/\(thresholds.highCelsius)/\(thresholds.criticalCelsius)",
                expected: "warn ≤ high ≤ critical")
        }
        if let text = reader.value("AXLLAMA_HIGH_TEMP_ACTION") {
            guard let action = HealthThresholds.HighTemperatureAction(rawValue: text.lowercased()) else {
                throw ServerSettings.SettingError.invalid(variable: "AXLLAMA_HIGH_TEMP_ACTION", value: text, expected: "cap or delay")
            }
            thresholds.highTemperatureAction = action
        }
        if let value = try reader.count("AXLLAMA_HIGH_TEMP_NUM_PREDICT") { thresholds.highTemperatureNumPredict = value }
        if let value = try reader.count("AXLLAMA_CMM_WARN_MIB") { thresholds.cmmWarnMiB = value }
        if let value = try reader.count("AXLLAMA_CMM_FLOOR_MIB") { thresholds.cmmFloorMiB = value }
    }
}

/// Reads settings as Ollama does: spaces and quotes trimmed, empty means unset (ollama
/// `envconfig.Var`); malformed values name the variable and what it accepts.
struct EnvironmentReader {
    let environment: [String: String]

    init(_ environment: [String: String]) { self.environment = environment }

    func value(_ name: String) -> String? {
        guard let raw = environment[name] else { return nil }
        let trimmed = raw.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: ["\"", "'"])
        return trimmed.isEmpty ? nil : trimmed
    }

    func flag(_ name: String) -> Bool {
        value(name).map { ["1", "true", "yes", "on"].contains($0.lowercased()) } ?? false
    }

    func number(_ name: String) throws -> Double? {
        guard let text = value(name) else { return nil }
        guard let number = Double(text), number.isFinite else {
            throw ServerSettings.SettingError.invalid(variable: name, value: text, expected: "a number")
        }
        return number
    }

    /// A non-negative whole number.
    func count(_ name: String) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), number >= 0 else {
            throw ServerSettings.SettingError.invalid(variable: name, value: text, expected: "a whole number ≥ 0")
        }
        return number
    }

    /// Seconds, plain (`30`, `2.5`) or with a unit (`500ms`, `30s`, `5m`, `1h`).
    func seconds(_ name: String) throws -> Double? {
        guard let text = value(name) else { return nil }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)), number >= 0 { return number * scale }
        }
        if let number = Double(text), number >= 0 { return number }
        throw ServerSettings.SettingError.invalid(variable: name, value: text, expected: "seconds, e.g. 30, 30s, 500ms or 5m")
    }
}
