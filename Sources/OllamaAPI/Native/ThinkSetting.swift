/// `think`: a boolean, or an effort level for models that support one (ollama `api/types.go` ThinkValue).
public enum ThinkSetting: Sendable, Equatable {
    case enabled(Bool)
    case level(String)

    public static let levels = ["high", "medium", "low", "max"]

    public var isEnabled: Bool {
        switch self {
        case let .enabled(value): return value
        case .level: return true
        }
    }
}

extension ThinkSetting: Codable {
    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let value = try? single.decode(Bool.self) {
            self = .enabled(value)
            return
        }
        if let text = try? single.decode(String.self), Self.levels.contains(text) {
            self = .level(text)
            return
        }
        let shown = (try? single.decode(String.self)).map { "\"\($0)\"" } ?? "value"
        throw WireDecodingError.invalidValue("invalid think value: \(shown) (must be \"high\", \"medium\", \"low\", \"max\", true, or false)")
    }

    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        switch self {
        case let .enabled(value): try single.encode(value)
        case let .level(level): try single.encode(level)
        }
    }
}
