/// A tool call the model made, with its arguments as a JSON object (ollama `api.ToolCall`).
public struct ToolCall: Codable, Sendable, Equatable {
    public struct Function: Codable, Sendable, Equatable {
        public var index: Int
        public var name: String
        public var arguments: JSONValue

        public init(index: Int = 0, name: String, arguments: JSONValue) {
            self.index = index
            self.name = name
            self.arguments = arguments
        }

        enum CodingKeys: String, CodingKey { case index, name, arguments }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            index = try c.decodeIfPresent(Int.self, forKey: .index) ?? 0
            name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
            arguments = try c.decodeIfPresent(JSONValue.self, forKey: .arguments) ?? .object([])
        }
    }

    public var id: String?
    public var function: Function

    public init(id: String? = nil, function: Function) {
        self.id = id
        self.function = function
    }
}

/// One chat message (ollama `api.Message`); the role is lower-cased on decode as Ollama does.
public struct Message: Codable, Sendable, Equatable {
    public var role: String
    public var content: String
    public var thinking: String?
    /// Base64 images; accepted and ignored (no vision models yet).
    public var images: [String]?
    public var toolCalls: [ToolCall]?
    public var toolName: String?
    public var toolCallID: String?

    public init(role: String, content: String, thinking: String? = nil, toolCalls: [ToolCall]? = nil) {
        self.role = role
        self.content = content
        self.thinking = thinking
        self.toolCalls = toolCalls
    }

    enum CodingKeys: String, CodingKey {
        case role, content, thinking, images
        case toolCalls = "tool_calls"
        case toolName = "tool_name"
        case toolCallID = "tool_call_id"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = (try c.decodeIfPresent(String.self, forKey: .role) ?? "").lowercased()
        content = try c.decodeIfPresent(String.self, forKey: .content) ?? ""
        thinking = try c.decodeIfPresent(String.self, forKey: .thinking)
        images = try c.decodeIfPresent([String].self, forKey: .images)
        toolCalls = try c.decodeIfPresent([ToolCall].self, forKey: .toolCalls)
        toolName = try c.decodeIfPresent(String.self, forKey: .toolName)
        toolCallID = try c.decodeIfPresent(String.self, forKey: .toolCallID)
    }

    /// `content` is always written; the rest only when non-empty (Go `omitempty`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(role, forKey: .role)
        try c.encode(content, forKey: .content)
        if let thinking, !thinking.isEmpty { try c.encode(thinking, forKey: .thinking) }
        if let images, !images.isEmpty { try c.encode(images, forKey: .images) }
        if let toolCalls, !toolCalls.isEmpty { try c.encode(toolCalls, forKey: .toolCalls) }
        if let toolName, !toolName.isEmpty { try c.encode(toolName, forKey: .toolName) }
        if let toolCallID, !toolCallID.isEmpty { try c.encode(toolCallID, forKey: .toolCallID) }
    }
}
