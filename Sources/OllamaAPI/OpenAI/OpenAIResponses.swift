public struct Usage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = promptTokens + completionTokens
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }
}

/// The assistant message of a chat completion, or the delta of a chunk.
public struct ChatCompletionMessage: Codable, Sendable, Equatable {
    public var role: String?
    public var content: String?
    public var reasoning: String?
    /// Complete calls, arguments as JSON text (ollama `openai.ToolCall`).
    public var toolCalls: [OpenAIMessage.ToolCall]?

    public init(role: String? = nil, content: String? = nil, reasoning: String? = nil, toolCalls: [OpenAIMessage.ToolCall]? = nil) {
        self.role = role
        self.content = content
        self.reasoning = reasoning
        self.toolCalls = toolCalls
    }

    enum CodingKeys: String, CodingKey {
        case role, content, reasoning
        case toolCalls = "tool_calls"
    }
}

/// `/v1/chat/completions` without streaming.
public struct ChatCompletion: Codable, Sendable, Equatable {
    public struct Choice: Codable, Sendable, Equatable {
        public var index: Int
        public var message: ChatCompletionMessage
        public var finishReason: String?

        public init(index: Int = 0, message: ChatCompletionMessage, finishReason: String?) {
            self.index = index
            self.message = message
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, message
            case finishReason = "finish_reason"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(message, forKey: .message)
            try c.encodeOrNull(finishReason, forKey: .finishReason)
        }
    }

    public var id: String
    public var object = "chat.completion"
    public var created: Int64
    public var model: String
    public var systemFingerprint = "fp_ollama"
    public var choices: [Choice]
    public var usage: Usage

    public init(id: String, created: Int64, model: String, choices: [Choice], usage: Usage) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
        case systemFingerprint = "system_fingerprint"
    }
}

/// One SSE chunk of `/v1/chat/completions`.
public struct ChatCompletionChunk: Codable, Sendable, Equatable {
    public struct Choice: Codable, Sendable, Equatable {
        public var index: Int
        public var delta: ChatCompletionMessage
        public var finishReason: String?

        public init(index: Int = 0, delta: ChatCompletionMessage, finishReason: String?) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }

        /// `finish_reason` is null until the last chunk, and written as null.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(delta, forKey: .delta)
            try c.encodeOrNull(finishReason, forKey: .finishReason)
        }
    }

    public var id: String
    public var object = "chat.completion.chunk"
    public var created: Int64
    public var model: String
    public var systemFingerprint = "fp_ollama"
    public var choices: [Choice]
    public var usage: Usage?

    public init(id: String, created: Int64, model: String, choices: [Choice], usage: Usage? = nil) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
        case systemFingerprint = "system_fingerprint"
    }
}

/// `/v1/completions`, whole or as one SSE chunk (`object` is `text_completion` for both).
public struct TextCompletion: Codable, Sendable, Equatable {
    public struct Choice: Codable, Sendable, Equatable {
        public var text: String
        public var index: Int
        public var finishReason: String?

        public init(text: String, index: Int = 0, finishReason: String?) {
            self.text = text
            self.index = index
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case text, index
            case finishReason = "finish_reason"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(text, forKey: .text)
            try c.encode(index, forKey: .index)
            try c.encodeOrNull(finishReason, forKey: .finishReason)
        }
    }

    public var id: String
    public var object = "text_completion"
    public var created: Int64
    public var model: String
    public var systemFingerprint = "fp_ollama"
    public var choices: [Choice]
    public var usage: Usage?

    public init(id: String, created: Int64, model: String, choices: [Choice], usage: Usage?) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
        case systemFingerprint = "system_fingerprint"
    }
}

/// `/v1/embeddings` answer.
public struct OpenAIEmbeddingList: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var object = "embedding"
        /// A float array, or a base64 string of little-endian float32 values.
        public var embedding: JSONValue
        public var index: Int

        public init(embedding: JSONValue, index: Int) {
            self.embedding = embedding
            self.index = index
        }
    }

    public struct EmbeddingUsage: Codable, Sendable, Equatable {
        public var promptTokens: Int
        public var totalTokens: Int

        public init(promptTokens: Int) {
            self.promptTokens = promptTokens
            self.totalTokens = promptTokens
        }

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case totalTokens = "total_tokens"
        }
    }

    public var object = "list"
    public var data: [Item]
    public var model: String
    public var usage: EmbeddingUsage

    public init(data: [Item], model: String, usage: EmbeddingUsage) {
        self.data = data
        self.model = model
        self.usage = usage
    }
}

/// An entry of `/v1/models`, and the answer of `/v1/models/{id}`.
public struct OpenAIModel: Codable, Sendable, Equatable {
    public var id: String
    public var object = "model"
    public var created: Int64
    public var ownedBy: String

    public init(id: String, created: Int64, ownedBy: String) {
        self.id = id
        self.created = created
        self.ownedBy = ownedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created
        case ownedBy = "owned_by"
    }
}

/// `/v1/models`; `data` is null when there are no models, as Ollama writes it.
public struct OpenAIModelList: Codable, Sendable, Equatable {
    public var object = "list"
    public var data: [OpenAIModel]

    public init(data: [OpenAIModel]) { self.data = data }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(object, forKey: .object)
        if data.isEmpty { try c.encodeNil(forKey: .data) } else { try c.encode(data, forKey: .data) }
    }

    enum CodingKeys: String, CodingKey { case object, data }
}

/// `{"error":{"message","type","param":null,"code":null}}`; `type` follows the status
/// (ollama `openai.NewError`).
public struct OpenAIErrorResponse: Codable, Sendable, Equatable {
    public struct Body: Codable, Sendable, Equatable {
        public var message: String
        public var type: String
        public var param: String?
        public var code: String?

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(message, forKey: .message)
            try c.encode(type, forKey: .type)
            try c.encodeNil(forKey: .param)
            try c.encodeNil(forKey: .code)
        }
    }

    public var error: Body

    public init(status: Int, message: String) {
        let type: String
        switch status {
        case 400: type = "invalid_request_error"
        case 404: type = "not_found_error"
        default: type = "api_error"
        }
        error = Body(message: message, type: type)
    }
}

extension KeyedEncodingContainer {
    /// Writes `null` for nil, where OpenAI clients expect the key to be present.
    mutating func encodeOrNull<Value: Encodable>(_ value: Value?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}
