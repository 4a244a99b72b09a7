/// One `/api/generate` chunk, or the whole non-streamed answer (ollama `api.GenerateResponse`).
public struct GenerateResponse: Codable, Sendable, Equatable {
    public var model: String
    public var createdAt: WireTimestamp
    /// Always written, even when empty.
    public var response: String
    public var thinking: String?
    public var done: Bool
    public var doneReason: String?
    /// Prompt and answer tokens, on the final chunk of a non-raw request.
    public var context: [Int]?
    public var metrics: Metrics

    public init(model: String, createdAt: WireTimestamp = .now(), response: String, thinking: String? = nil, done: Bool,
                doneReason: String? = nil, context: [Int]? = nil, metrics: Metrics = Metrics()) {
        self.model = model
        self.createdAt = createdAt
        self.response = response
        self.thinking = thinking
        self.done = done
        self.doneReason = doneReason
        self.context = context
        self.metrics = metrics
    }

    enum CodingKeys: String, CodingKey {
        case model, response, thinking, done, context
        case createdAt = "created_at"
        case doneReason = "done_reason"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        createdAt = try c.decodeIfPresent(WireTimestamp.self, forKey: .createdAt) ?? WireTimestamp(seconds: 0)
        response = try c.decodeIfPresent(String.self, forKey: .response) ?? ""
        thinking = try c.decodeIfPresent(String.self, forKey: .thinking)
        done = try c.decodeIfPresent(Bool.self, forKey: .done) ?? false
        doneReason = try c.decodeIfPresent(String.self, forKey: .doneReason)
        context = try c.decodeIfPresent([Int].self, forKey: .context)
        metrics = try Metrics(fromResponse: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(response, forKey: .response)
        if let thinking, !thinking.isEmpty { try c.encode(thinking, forKey: .thinking) }
        try c.encode(done, forKey: .done)
        if let doneReason, !doneReason.isEmpty { try c.encode(doneReason, forKey: .doneReason) }
        if let context, !context.isEmpty { try c.encode(context, forKey: .context) }
        try metrics.encodeInline(to: encoder)
    }
}

/// One `/api/chat` chunk (ollama `api.ChatResponse`). `message` with its role is always present:
/// the Python client requires it on every chunk.
public struct ChatResponse: Codable, Sendable, Equatable {
    public var model: String
    public var createdAt: WireTimestamp
    public var message: Message
    public var done: Bool
    public var doneReason: String?
    public var metrics: Metrics

    public init(model: String, createdAt: WireTimestamp = .now(), message: Message, done: Bool,
                doneReason: String? = nil, metrics: Metrics = Metrics()) {
        self.model = model
        self.createdAt = createdAt
        self.message = message
        self.done = done
        self.doneReason = doneReason
        self.metrics = metrics
    }

    enum CodingKeys: String, CodingKey {
        case model, message, done
        case createdAt = "created_at"
        case doneReason = "done_reason"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        createdAt = try c.decodeIfPresent(WireTimestamp.self, forKey: .createdAt) ?? WireTimestamp(seconds: 0)
        message = try c.decodeIfPresent(Message.self, forKey: .message) ?? Message(role: "assistant", content: "")
        done = try c.decodeIfPresent(Bool.self, forKey: .done) ?? false
        doneReason = try c.decodeIfPresent(String.self, forKey: .doneReason)
        metrics = try Metrics(fromResponse: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(message, forKey: .message)
        try c.encode(done, forKey: .done)
        if let doneReason, !doneReason.isEmpty { try c.encode(doneReason, forKey: .doneReason) }
        try metrics.encodeInline(to: encoder)
    }
}

/// `/api/embed` answer.
public struct EmbedResponse: Codable, Sendable, Equatable {
    public var model: String
    public var embeddings: [[Float]]
    public var totalDuration: Int64?
    public var loadDuration: Int64?
    public var promptEvalCount: Int?

    public init(model: String, embeddings: [[Float]], totalDuration: Int64? = nil, loadDuration: Int64? = nil, promptEvalCount: Int? = nil) {
        self.model = model
        self.embeddings = embeddings
        self.totalDuration = totalDuration
        self.loadDuration = loadDuration
        self.promptEvalCount = promptEvalCount
    }

    enum CodingKeys: String, CodingKey {
        case model, embeddings
        case totalDuration = "total_duration"
        case loadDuration = "load_duration"
        case promptEvalCount = "prompt_eval_count"
    }
}

/// `/api/embeddings` answer (legacy).
public struct EmbeddingsResponse: Codable, Sendable, Equatable {
    public var embedding: [Double]

    public init(embedding: [Double]) { self.embedding = embedding }
}
