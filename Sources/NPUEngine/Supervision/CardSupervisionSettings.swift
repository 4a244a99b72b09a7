import Foundation
import AXCL

/// How cards are chosen, watched and recovered. Every value has an `AXLLAMA_*` variable.
public struct CardSupervisionSettings: Sendable, Equatable {
    /// AXLLAMA_DEVICES: runtime device ids to use; empty means the first listed card.
    public var deviceIDs: [DeviceID]
    /// AXLLAMA_TELEMETRY_INTERVAL: seconds between property polls. The call runs shell commands
    /// on the card, so it is polled every 5–10 s at most (axera.md §1.9).
    public var telemetryInterval: Double
    /// AXLLAMA_ENGINE_TIMEOUT: seconds one engine execute, or one runtime call of a load or of the
    /// recovery ladder, may take before the card counts as wedged (a model file's load gets more).
    public var engineTimeout: Double
    /// AXLLAMA_RECOVERY_ATTEMPTS: rounds of the recovery ladder before the card is declared failed.
    public var recoveryAttempts: Int
    /// Seconds to wait for the card to re-enumerate after a reboot (axera.md §7.9: up to 60 s).
    public var enumerationTimeout: Double
    /// Seconds to wait for the configured cards to be listed when they are first opened: right
    /// after a boot or a driver reload the list stays empty for a while (axera.md §5: ~15 s).
    public var openEnumerationTimeout: Double
    /// Seconds before the second attempt; doubled for each further one.
    public var backoff: Double
    /// AXLLAMA_PREFIX_CACHE_DIR: where cached prompt prefixes are persisted; nil keeps them in memory only.
    public var prefixCacheDirectory: String?

    public init(deviceIDs: [DeviceID] = [], telemetryInterval: Double = 5, engineTimeout: Double = 30, recoveryAttempts: Int = 3,
                enumerationTimeout: Double = 60, openEnumerationTimeout: Double = 15, backoff: Double = 1,
                prefixCacheDirectory: String? = nil) {
        self.deviceIDs = deviceIDs
        self.telemetryInterval = telemetryInterval
        self.engineTimeout = engineTimeout
        self.recoveryAttempts = recoveryAttempts
        self.enumerationTimeout = enumerationTimeout
        self.openEnumerationTimeout = openEnumerationTimeout
        self.backoff = backoff
        self.prefixCacheDirectory = prefixCacheDirectory
    }

    /// Engine options with the prefix cache directory of these settings.
    public func engineOptions(_ base: NPUEngineOptions = NPUEngineOptions()) -> NPUEngineOptions {
        var options = base
        if let directory = prefixCacheDirectory { options.prefixCacheDirectory = URL(fileURLWithPath: directory, isDirectory: true) }
        return options
    }

    /// Reads the `AXLLAMA_*` variables; a value that does not parse is an error naming the variable.
    public static func fromEnvironment(_ environment: [String: String]) throws(SettingsError) -> CardSupervisionSettings {
        var settings = CardSupervisionSettings()
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        if let text = value("AXLLAMA_DEVICES") {
            var ids: [DeviceID] = []
            for part in text.split(separator: ",") {
                guard let id = Int32(part.trimmingCharacters(in: .whitespaces)) else {
                    throw SettingsError("AXLLAMA_DEVICES: '\(part)' is not a device id; give runtime device ids such as 0,1 (see axcl-smi)")
                }
                ids.append(DeviceID(id))
            }
            settings.deviceIDs = ids
        }
        if let text = value("AXLLAMA_TELEMETRY_INTERVAL") { settings.telemetryInterval = try seconds(text, "AXLLAMA_TELEMETRY_INTERVAL") }
        if let text = value("AXLLAMA_ENGINE_TIMEOUT") { settings.engineTimeout = try seconds(text, "AXLLAMA_ENGINE_TIMEOUT") }
        if let text = value("AXLLAMA_RECOVERY_ATTEMPTS") {
            guard let attempts = Int(text), attempts >= 0 else {
                throw SettingsError("AXLLAMA_RECOVERY_ATTEMPTS: '\(text)' is not a count (0 disables recovery)")
            }
            settings.recoveryAttempts = attempts
        }
        settings.prefixCacheDirectory = value("AXLLAMA_PREFIX_CACHE_DIR")
        return settings
    }

    /// `30`, `30s`, `500ms`, `2m`.
    static func seconds(_ text: String, _ name: String) throws(SettingsError) -> Double {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)), number > 0 { return number * scale }
        }
        if let number = Double(text), number > 0 { return number }
        throw SettingsError("\(name): '\(text)' is not a positive duration such as 5s, 500ms or 2m")
    }
}

public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
