/// A complete tool call parsed from model output: Ollama streams these as whole objects.
public struct ToolCall: Equatable, Sendable {
    public let name: String
    /// A JSON object, keys in the order the model wrote them.
    public let arguments: OrderedDictionary<String, Value>

    public init(name: String, arguments: OrderedDictionary<String, Value>) {
        self.name = name
        self.arguments = arguments
    }

    /// From `{"name": …, "arguments"|"parameters": {…} or "<json string>"}`; nil if it is not one.
    init?(object: Value, nameKey: String = "name") {
        guard case .dict(let d) = object, case .string(let name)? = d[nameKey] else { return nil }
        guard let arguments = Self.arguments(d["arguments"] ?? d["parameters"] ?? .dict([:])) else { return nil }
        self.init(name: name, arguments: arguments)
    }

    static func arguments(_ value: Value) -> OrderedDictionary<String, Value>? {
        switch value {
        case .dict(let d): return d
        case .string(let text):
            // Some models write the arguments as a JSON string.
            if case .dict(let d)? = try? JSON.parse(text) { return d }
            return nil
        default: return nil
        }
    }
}

/// What a tool-call parser releases: plain content, or a finished tool call.
public enum ParsedOutput: Equatable, Sendable {
    case content(String)
    case toolCall(ToolCall)
}

/// The tool-call syntaxes real chat templates teach their models.
public enum ToolCallFormat: Sendable, Equatable {
    /// Qwen / Hermes: `<tool_call>{"name": …, "arguments": {…}}</tool_call>`, possibly several.
    case tagged(open: String, close: String)
    /// Llama 3.x: the reply is a JSON object `{"name": …, "parameters": {…}}`, optionally after
    /// `<|python_tag|>`; several may follow each other separated by `;`.
    case llama3JSON
    /// Mistral: `[TOOL_CALLS][{"name": …, "arguments": {…}}, …]`, or the newer
    /// `[TOOL_CALLS]name[ARGS]{…}` repeated per call.
    case mistral

    public static let hermes = ToolCallFormat.tagged(open: "<tool_call>", close: "</tool_call>")
}
