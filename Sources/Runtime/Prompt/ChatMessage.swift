import ChatTemplate

/// A tool call as the model wrote it (or as a client sends it back in the history): a
/// function name and its arguments as a JSON object, keys in the order they were written.
public typealias ParsedToolCall = ToolCall

/// One turn of a conversation as clients send it.
public struct ChatMessage: Sendable, Equatable {
    public var role: String
    public var content: String
    /// The assistant's reasoning from an earlier turn (Ollama `thinking`).
    public var thinking: String?
    /// Calls the assistant made in this turn.
    public var toolCalls: [ParsedToolCall]
    /// For role "tool": the function whose result `content` is (Ollama `tool_name`).
    public var toolName: String?
    public var toolCallID: String?

    public init(role: String, content: String, thinking: String? = nil, toolCalls: [ParsedToolCall] = [],
                toolName: String? = nil, toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.thinking = thinking
        self.toolCalls = toolCalls
        self.toolName = toolName
        self.toolCallID = toolCallID
    }

    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: "system", content: content) }
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: "user", content: content) }
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: "assistant", content: content) }
}
