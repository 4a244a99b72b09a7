/// Every setting `axllama serve` reads: its variable, its `serve` flag, what it does and its
/// default. `serve --help` and the start-up configuration print come from this one list.
public struct SettingEntry: Sendable {
    public let variable: String
    public let flag: String
    public let help: String
    public let defaultValue: String
    /// Printed masked.
    public let isSecret: Bool

    init(_ variable: String, _ flag: String, _ help: String, default defaultValue: String = "", secret: Bool = false) {
        self.variable = variable
        self.flag = flag
        self.help = help
        self.defaultValue = defaultValue
        self.isSecret = secret
    }
}

public enum SettingCatalogue {
    public static let entries: [SettingEntry] = [
        // Ollama's own, with Ollama's meaning and defaults.
        SettingEntry("OLLAMA_HOST", "host", "address to listen on, host:port", default: "127.0.0.1:11434"),
        SettingEntry("OLLAMA_MODELS", "models", "model store directory, when AXLLAMA_MODELS is unset", default: "~/.axllama/models"),
        SettingEntry("OLLAMA_KEEP_ALIVE", "keep-alive", "how long an idle model stays loaded (5m, 1h, -1 for ever)", default: "5m"),
        SettingEntry("OLLAMA_MAX_LOADED_MODELS", "max-loaded-models", "models resident at once", default: "3"),
        SettingEntry("OLLAMA_MAX_QUEUE", "max-queue", "requests waiting per model before 503", default: "512"),
        SettingEntry("OLLAMA_ORIGINS", "origins", "extra allowed CORS origins, comma separated"),
        SettingEntry("OLLAMA_CONTEXT_LENGTH", "context-length", "context allocated per loaded model", default: "4096"),
        SettingEntry("OLLAMA_DEBUG", "debug", "1 for debug logging", default: "0"),
        // axllama's own.
        SettingEntry("AXLLAMA_MODELS", "models", "model store directory (wins over OLLAMA_MODELS)", default: "~/.axllama/models"),
        SettingEntry("AXLLAMA_PRELOAD", "preload", "models loaded at start, comma separated"),
        SettingEntry("AXLLAMA_PIN", "pin", "models loaded at start and never unloaded, comma separated"),
        SettingEntry("AXLLAMA_API_KEY", "api-key", "require 'Authorization: Bearer <key>' (GET / and /health stay open)", secret: true),
        SettingEntry("AXLLAMA_MAX_BODY", "max-body", "largest JSON request body in bytes", default: "67108864"),
        SettingEntry("AXLLAMA_AXCL_LIBRARY", "axcl-library", "the AXCL runtime library (libaxcl_rt.so)", default: "loader path, then /usr/lib/axcl"),
        SettingEntry("AXLLAMA_DEVICES", "devices", "NPU device ids to use, comma separated", default: "the first card"),
        SettingEntry("AXLLAMA_TELEMETRY_INTERVAL", "telemetry-interval", "seconds between device telemetry polls", default: "5s"),
        SettingEntry("AXLLAMA_ENGINE_TIMEOUT", "engine-timeout", "watchdog for one engine call", default: "30s"),
        SettingEntry("AXLLAMA_RECOVERY_ATTEMPTS", "recovery-attempts", "recovery ladder attempts before a card is failed", default: "3"),
        SettingEntry("AXLLAMA_FALLBACK_MODEL", "fallback-model", "CPU model that answers while the card is down"),
        SettingEntry("AXLLAMA_PREFIX_CACHE_DIR", "prefix-cache-dir", "directory of persisted system-prompt caches"),
        SettingEntry("AXLLAMA_LOG_FORMAT", "log-format", "plain or json log lines", default: "plain"),
        SettingEntry("AXLLAMA_LOG_LEVEL", "log-level", "trace, debug, info, notice, warning, error or critical", default: "info"),
        SettingEntry("AXLLAMA_STATUS_INTERVAL", "status-interval", "seconds between status summaries in the log", default: "60s"),
        SettingEntry("AXLLAMA_TEMP_WARN", "temp-warn", "°C above which a warning is logged", default: "75"),
        SettingEntry("AXLLAMA_TEMP_HIGH", "temp-high", "°C above which new generations are capped or delayed", default: "85"),
        SettingEntry("AXLLAMA_TEMP_CRITICAL", "temp-critical", "°C above which requests get 503 until the card cools", default: "95"),
        SettingEntry("AXLLAMA_HIGH_TEMP_ACTION", "high-temp-action", "cap (num_predict) or delay (wait up to 30 s to cool)", default: "cap"),
        SettingEntry("AXLLAMA_HIGH_TEMP_NUM_PREDICT", "high-temp-num-predict", "num_predict cap while hot", default: "128"),
        SettingEntry("AXLLAMA_CMM_WARN_MIB", "cmm-warn-mib", "warn when less CMM than this is free (MiB)", default: "256"),
        SettingEntry("AXLLAMA_CMM_FLOOR_MIB", "cmm-floor-mib", "refuse a load that would leave less CMM free (MiB)", default: "128"),
        SettingEntry("AXLLAMA_SHUTDOWN_GRACE", "shutdown-grace", "seconds SIGTERM waits for requests in flight", default: "30s"),
    ]

    /// One line per setting, `VARIABLE=value` or `VARIABLE unset (default …)`, secrets masked.
    public static func describe(_ environment: [String: String]) -> [String] {
        entries.map { entry in
            guard let value = environment[entry.variable], !value.isEmpty else {
                return entry.defaultValue.isEmpty ? "\(entry.variable) unset" : "\(entry.variable) unset (default \(entry.defaultValue))"
            }
            return "\(entry.variable)=\(entry.isSecret ? "********" : value)"
        }
    }
}

extension SettingCatalogue {
    /// `--flag` help: what it does, its variable and default.
    public static func help(_ variable: String) -> String {
        guard let entry = entries.first(where: { $0.variable == variable }) else { return variable }
        return "\(entry.help) (\(variable)" + (entry.defaultValue.isEmpty ? ")" : "; default \(entry.defaultValue))")
    }
}
