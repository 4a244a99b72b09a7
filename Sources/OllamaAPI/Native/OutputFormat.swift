/// `format`: `"json"` or a JSON schema object. Stored for the constrained decoder; `""` and
/// `null` mean unset (ollama `api/types.go`).
public enum OutputFormat: Sendable, Equatable {
    case json
    case schema(JSONValue)
}

extension OutputFormat {
    /// Reads the raw `format` value; nil when unset, an error with Ollama's text for anything else.
    public static func from(_ value: JSONValue?) throws -> OutputFormat? {
        switch value {
        case nil, .null?, .string("")?: return nil
        case .string("json")?: return .json
        case let .object(pairs)?: return .schema(.object(pairs))
        case let other?:
            // (ollama llm/llama_server.go)
            throw WireDecodingError.invalidValue("invalid format: \(other.compactText); expected \"json\" or a valid JSON Schema object")
        }
    }
}

extension JSONValue {
    /// A short JSON rendering for error messages.
    public var compactText: String {
        switch self {
        case .null: return "null"
        case let .bool(value): return value ? "true" : "false"
        case let .number(value): return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case let .string(value): return "\"\(value)\""
        case let .array(values): return "[" + values.map(\.compactText).joined(separator: ",") + "]"
        case let .object(pairs): return "{" + pairs.map { "\"\($0.key)\":\($0.value.compactText)" }.joined(separator: ",") + "}"
        }
    }
}
