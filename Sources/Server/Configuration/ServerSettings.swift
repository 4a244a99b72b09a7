import OllamaAPI
import Runtime

/// Everything `axllama serve` is configured with: Ollama's environment variables with their
/// meaning, plus axllama's own `AXLLAMA_*` ones.
public struct ServerSettings: Sendable {
    public var address = ListenAddress.ollamaDefault
    /// Extra CORS origins (`OLLAMA_ORIGINS`), added to the localhost and app origins.
    public var extraOrigins: [String] = []
    /// When set, every request except `GET|HEAD /` needs `Authorization: Bearer <key>` (`AXLLAMA_API_KEY`).
    public var apiKey: String?
    /// Largest JSON request body; blob uploads are not limited by it (`AXLLAMA_MAX_BODY`).
    public var maxBodyBytes = 64 * 1024 * 1024
    /// The version `/api/version` reports: an Ollama version, because clients gate features on it.
    public var reportedVersion = "0.33.0"
    /// Context allocated when a model is loaded (`OLLAMA_CONTEXT_LENGTH`; Ollama's default for
    /// machines with little memory is 4096), capped by the model's own.
    public var defaultContextLength = 4096
    public var scheduler = SchedulerConfiguration()
    /// Models loaded at start (`AXLLAMA_PRELOAD`, comma separated).
    public var preload: [String] = []
    /// Logging, status, thermal and shutdown settings (ServerSettings+Operations.swift).
    public var operations = OperationsSettings()

    public init() {}

    /// Errors name the variable and the accepted forms.
    public enum SettingError: Error, CustomStringConvertible {
        case invalid(variable: String, value: String, expected: String)

        public var description: String {
            switch self {
            case let .invalid(variable, value, expected): return "\(variable)=\"\(value)\" is not valid: expected \(expected)"
            }
        }
    }

    public static func fromEnvironment(_ environment: [String: String]) throws -> ServerSettings {
        var settings = ServerSettings()
        func value(_ name: String) -> String? {
            // Ollama trims spaces and quotes from every variable (ollama `envconfig.Var`).
            guard let raw = environment[name] else { return nil }
            let trimmed = raw.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: ["\"", "'"])
            return trimmed.isEmpty ? nil : trimmed
        }
        func integer(_ name: String) throws -> Int? {
            guard let text = value(name) else { return nil }
            guard let number = Int(text) else { throw SettingError.invalid(variable: name, value: text, expected: "an integer") }
            return number
        }
        settings.address = ListenAddress(ollamaHost: value("OLLAMA_HOST"))
        settings.extraOrigins = value("OLLAMA_ORIGINS").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        settings.apiKey = value("AXLLAMA_API_KEY")
        if let bytes = try integer("AXLLAMA_MAX_BODY") { settings.maxBodyBytes = bytes }
        if let length = try integer("OLLAMA_CONTEXT_LENGTH"), length > 0 { settings.defaultContextLength = length }
        if let text = value("OLLAMA_KEEP_ALIVE") {
            do {
                settings.scheduler.defaultKeepAlive = KeepAliveDuration(try KeepAlive(environmentValue: text))
            } catch {
                throw SettingError.invalid(variable: "OLLAMA_KEEP_ALIVE", value: text, expected: "a duration such as 5m or 1h, or seconds")
            }
        }
        if let count = try integer("OLLAMA_MAX_LOADED_MODELS"), count > 0 { settings.scheduler.maxLoadedModels = count }
        if let count = try integer("OLLAMA_MAX_QUEUE") { settings.scheduler.maxQueue = max(0, count) }
        func names(_ name: String) -> [String] {
            value(name).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
        }
        settings.preload = names("AXLLAMA_PRELOAD")
        settings.scheduler.pinned = Set(names("AXLLAMA_PIN").compactMap { ModelName($0)?.fullName })
        // Pinned models are loaded at start too, so they are resident from boot.
        for pinned in names("AXLLAMA_PIN") where !settings.preload.contains(pinned) { settings.preload.append(pinned) }
        settings.operations = try OperationsSettings(environment: environment)
        return settings
    }
}

extension KeepAliveDuration {
    public init(_ wire: KeepAlive) {
        switch wire {
        case .forever: self = .forever
        case let .duration(nanoseconds): self = .nanoseconds(nanoseconds)
        }
    }
}
