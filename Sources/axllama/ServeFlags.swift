import ArgumentParser
import Server

/// A `serve` flag for every setting; a flag given on the command line overrides its variable.
struct ServeFlags: ParsableArguments {
    @Option(help: "\(SettingCatalogue.help("OLLAMA_HOST"))") var host: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_MODELS"))") var models: String?
    @Option(help: "\(SettingCatalogue.help("OLLAMA_KEEP_ALIVE"))") var keepAlive: String?
    @Option(help: "\(SettingCatalogue.help("OLLAMA_MAX_LOADED_MODELS"))") var maxLoadedModels: String?
    @Option(help: "\(SettingCatalogue.help("OLLAMA_MAX_QUEUE"))") var maxQueue: String?
    @Option(help: "\(SettingCatalogue.help("OLLAMA_ORIGINS"))") var origins: String?
    @Option(help: "\(SettingCatalogue.help("OLLAMA_CONTEXT_LENGTH"))") var contextLength: String?
    @Flag(help: "\(SettingCatalogue.help("OLLAMA_DEBUG"))") var debug = false
    @Option(help: "Load this model at start (repeatable; adds to AXLLAMA_PRELOAD).") var preload: [String] = []
    @Option(help: "Keep this model resident for ever, never evicted (repeatable; adds to AXLLAMA_PIN).") var pin: [String] = []
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_API_KEY"))") var apiKey: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_MAX_BODY"))") var maxBody: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_AXCL_LIBRARY"))") var axclLibrary: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_DEVICES"))") var devices: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_TELEMETRY_INTERVAL"))") var telemetryInterval: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_ENGINE_TIMEOUT"))") var engineTimeout: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_RECOVERY_ATTEMPTS"))") var recoveryAttempts: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_FALLBACK_MODEL"))") var fallbackModel: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_PREFIX_CACHE_DIR"))") var prefixCacheDir: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_LOG_FORMAT"))") var logFormat: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_LOG_LEVEL"))") var logLevel: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_STATUS_INTERVAL"))") var statusInterval: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_TEMP_WARN"))") var tempWarn: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_TEMP_HIGH"))") var tempHigh: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_TEMP_CRITICAL"))") var tempCritical: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_HIGH_TEMP_ACTION"))") var highTempAction: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_HIGH_TEMP_NUM_PREDICT"))") var highTempNumPredict: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_CMM_WARN_MIB"))") var cmmWarnMib: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_CMM_FLOOR_MIB"))") var cmmFloorMib: String?
    @Option(help: "\(SettingCatalogue.help("AXLLAMA_SHUTDOWN_GRACE"))") var shutdownGrace: String?

    /// The environment with every given flag written over its variable.
    func applied(to base: [String: String]) -> [String: String] {
        var environment = base
        let values: [(String, String?)] = [
            ("OLLAMA_HOST", host), ("AXLLAMA_MODELS", models), ("OLLAMA_KEEP_ALIVE", keepAlive),
            ("OLLAMA_MAX_LOADED_MODELS", maxLoadedModels), ("OLLAMA_MAX_QUEUE", maxQueue), ("OLLAMA_ORIGINS", origins),
            ("OLLAMA_CONTEXT_LENGTH", contextLength), ("OLLAMA_DEBUG", debug ? "1" : nil),
            ("AXLLAMA_API_KEY", apiKey), ("AXLLAMA_MAX_BODY", maxBody), ("AXLLAMA_AXCL_LIBRARY", axclLibrary),
            ("AXLLAMA_DEVICES", devices), ("AXLLAMA_TELEMETRY_INTERVAL", telemetryInterval), ("AXLLAMA_ENGINE_TIMEOUT", engineTimeout),
            ("AXLLAMA_RECOVERY_ATTEMPTS", recoveryAttempts), ("AXLLAMA_FALLBACK_MODEL", fallbackModel),
            ("AXLLAMA_PREFIX_CACHE_DIR", prefixCacheDir), ("AXLLAMA_LOG_FORMAT", logFormat), ("AXLLAMA_LOG_LEVEL", logLevel),
            ("AXLLAMA_STATUS_INTERVAL", statusInterval), ("AXLLAMA_TEMP_WARN", tempWarn), ("AXLLAMA_TEMP_HIGH", tempHigh),
            ("AXLLAMA_TEMP_CRITICAL", tempCritical), ("AXLLAMA_HIGH_TEMP_ACTION", highTempAction),
            ("AXLLAMA_HIGH_TEMP_NUM_PREDICT", highTempNumPredict), ("AXLLAMA_CMM_WARN_MIB", cmmWarnMib),
            ("AXLLAMA_CMM_FLOOR_MIB", cmmFloorMib), ("AXLLAMA_SHUTDOWN_GRACE", shutdownGrace),
        ]
        for case let (variable, value?) in values { environment[variable] = value }
        func append(_ key: String, _ names: [String]) {
            guard !names.isEmpty else { return }
            environment[key] = ((environment[key].map { [$0] } ?? []) + names).joined(separator: ",")
        }
        append("AXLLAMA_PRELOAD", preload)
        append("AXLLAMA_PIN", pin)
        return environment
    }
}
