import ChatTemplate
import OllamaAPI
import Runtime

/// Between the wire's JSON (tools, tool calls) and the template values the prompt is rendered
/// from and the parser produces.
enum ToolCallConversion {
    /// A JSON value as a template sees it: whole numbers are Python ints, as `json.loads` gives.
    static func value(_ json: JSONValue) -> Value {
        switch json {
        case .null: return .none
        case let .bool(b): return .bool(b)
        case let .number(n):
            if n == n.rounded(), abs(n) < 1e15 { return .int(Int(n)) }
            return .double(n)
        case let .string(s): return .string(s)
        case let .array(items): return .list(items.map(value))
        case let .object(pairs):
            var object = OrderedDictionary<String, Value>()
            for pair in pairs { object[pair.key] = value(pair.value) }
            return .dict(object)
        }
    }

    static func json(_ value: Value) -> JSONValue {
        switch value {
        case .none, .undefined: return .null
        case let .bool(b): return .bool(b)
        case let .int(i): return .number(Double(i))
        case let .double(d): return .number(d)
        case let .string(s), let .markup(s): return .string(s)
        case let .list(items), let .iterator(items): return .array(items.map(json))
        case let .dict(object): return .object(object.pairs.map { ($0.key, json($0.value)) })
        case .namespace, .function: return .null
        }
    }

    /// A tool call the client sends back in the history.
    static func parsed(_ call: OllamaAPI.ToolCall) -> ParsedToolCall {
        guard case let .dict(arguments) = value(call.function.arguments) else {
            return ParsedToolCall(name: call.function.name, arguments: [:])
        }
        return ParsedToolCall(name: call.function.name, arguments: arguments)
    }

    /// A call the model made, as Ollama sends it: `id` is `call_` and eight random characters,
    /// `index` its position in the answer (ollama `toolCallId`).
    static func wire(_ call: ParsedToolCall, index: Int) -> OllamaAPI.ToolCall {
        OllamaAPI.ToolCall(id: callID(), function: .init(index: index, name: call.name, arguments: json(.dict(call.arguments))))
    }

    static func callID() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return "call_" + String((0 ..< 8).map { _ in alphabet.randomElement()! })
    }

    /// A native chat message as the prompt format takes it (images are ignored).
    static func chatMessage(_ message: Message) -> ChatMessage {
        ChatMessage(role: message.role, content: message.content, thinking: message.thinking,
                    toolCalls: (message.toolCalls ?? []).map(parsed), toolName: message.toolName, toolCallID: message.toolCallID)
    }

    /// Arguments as OpenAI sends them: compact JSON text in the order the model wrote them.
    static func argumentsText(_ call: ParsedToolCall) -> String {
        var options = JSON.DumpOptions()
        options.itemSeparator = ","
        options.keySeparator = ":"
        return (try? JSON.dump(.dict(call.arguments), options: options)) ?? "{}"
    }
}
