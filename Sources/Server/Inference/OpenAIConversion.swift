import ChatTemplate
import OllamaAPI
import Runtime
import Synchronization

/// The OpenAI shapes of messages, tool calls and reasoning, to and from the native pipeline
/// (ollama `openai/openai.go`).
enum OpenAIConversion {
    /// A request message: tool calls' arguments arrive as JSON text, reasoning as `reasoning`,
    /// a tool result names its function in `name`.
    static func chatMessage(_ message: OpenAIMessage) throws -> ChatMessage {
        let calls = (message.toolCalls ?? []).map { call -> ParsedToolCall in
            let arguments: OrderedDictionary<String, Value>
            if case let .dict(object)? = try? JSON.parse(call.function.arguments) { arguments = object } else { arguments = [:] }
            return ParsedToolCall(name: call.function.name, arguments: arguments)
        }
        return ChatMessage(role: message.role.lowercased(), content: try message.text(), thinking: message.reasoning, toolCalls: calls,
                           toolName: message.name, toolCallID: message.toolCallID)
    }

    /// A whole conversation: a tool result that names only its `tool_call_id` gets the name of
    /// the function that call went to, from the assistant message that made it.
    static func conversation(_ messages: [OpenAIMessage]) throws -> [ChatMessage] {
        var functionOfCall: [String: String] = [:]
        return try messages.map { message in
            var converted = try chatMessage(message)
            for call in message.toolCalls ?? [] { if let id = call.id { functionOfCall[id] = call.function.name } }
            if converted.role == "tool", converted.toolName == nil, let id = message.toolCallID { converted.toolName = functionOfCall[id] }
            return converted
        }
    }

    static func toolCalls(_ calls: [OllamaAPI.ToolCall]) -> [OpenAIMessage.ToolCall]? {
        guard !calls.isEmpty else { return nil }
        return calls.map { call in
            OpenAIMessage.ToolCall(id: call.id, index: call.function.index,
                                   function: .init(name: call.function.name, arguments: ToolCallConversion.argumentsText(
                                       ParsedToolCall(name: call.function.name, arguments: argumentsObject(call.function.arguments)))))
        }
    }

    private static func argumentsObject(_ json: JSONValue) -> OrderedDictionary<String, Value> {
        if case let .dict(object) = ToolCallConversion.value(json) { return object }
        return [:]
    }

    /// `reasoning_effort` / `reasoning.effort`: `none` turns thinking off, any level turns it on.
    static func think(effort: String?) -> Bool? {
        guard let effort else { return nil }
        return effort != "none"
    }
}

/// How many tool calls a streamed answer made so far: the finish chunk says `tool_calls` when
/// there were any.
final class ToolCallTally: Sendable {
    private let calls = Mutex(0)
    func add(_ count: Int) { calls.withLock { $0 += count } }
    var count: Int { calls.withLock { $0 } }
}
