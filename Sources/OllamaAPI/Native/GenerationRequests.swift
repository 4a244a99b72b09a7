/// `POST /api/generate` (ollama `api.GenerateRequest`). Unknown fields are ignored, as gin does.
public struct GenerateRequest: Codable, Sendable, Equatable {
    public var model: String?
    public var prompt: String?
    public var suffix: String?
    public var system: String?
    public var template: String?
    public var context: [Int]?
    /// Absent or null means stream (Go `*bool`).
    public var stream: Bool?
    public var raw: Bool?
    public var format: JSONValue?
    public var keepAlive: KeepAlive?
    /// Accepted and ignored: no vision models yet.
    public var images: [String]?
    public var options: [String: JSONValue]?
    public var think: ThinkSetting?
    public var truncate: Bool?
    public var shift: Bool?
    public var logprobs: Bool?
    public var topLogprobs: Int?

    public init(model: String, prompt: String? = nil, stream: Bool? = nil, keepAlive: KeepAlive? = nil, options: [String: JSONValue]? = nil) {
        self.model = model
        self.prompt = prompt
        self.stream = stream
        self.keepAlive = keepAlive
        self.options = options
    }

    enum CodingKeys: String, CodingKey {
        case model, prompt, suffix, system, template, context, stream, raw, format, images, options, think, truncate, shift, logprobs
        case keepAlive = "keep_alive"
        case topLogprobs = "top_logprobs"
    }
}

/// `POST /api/chat` (ollama `api.ChatRequest`).
public struct ChatRequest: Codable, Sendable, Equatable {
    public var model: String?
    public var messages: [Message]?
    public var stream: Bool?
    public var format: JSONValue?
    public var keepAlive: KeepAlive?
    public var tools: [JSONValue]?
    public var options: [String: JSONValue]?
    public var think: ThinkSetting?
    public var truncate: Bool?
    public var shift: Bool?
    public var logprobs: Bool?
    public var topLogprobs: Int?

    public init(model: String, messages: [Message], stream: Bool? = nil, keepAlive: KeepAlive? = nil, options: [String: JSONValue]? = nil) {
        self.model = model
        self.messages = messages
        self.stream = stream
        self.keepAlive = keepAlive
        self.options = options
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, format, tools, options, think, truncate, shift, logprobs
        case keepAlive = "keep_alive"
        case topLogprobs = "top_logprobs"
    }
}

/// `input` of `/api/embed`: one string or a list (ollama `api.EmbedRequest`).
public enum EmbedInput: Sendable, Equatable, Codable {
    case single(String)
    case many([String])

    public var texts: [String] {
        switch self {
        case let .single(text): return text.isEmpty ? [] : [text]
        case let .many(texts): return texts
        }
    }

    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let text = try? single.decode(String.self) {
            self = .single(text)
        } else if let texts = try? single.decode([String].self) {
            self = .many(texts)
        } else {
            throw WireDecodingError.invalidValue("invalid input type")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        switch self {
        case let .single(text): try single.encode(text)
        case let .many(texts): try single.encode(texts)
        }
    }
}

/// `POST /api/embed`.
public struct EmbedRequest: Codable, Sendable, Equatable {
    public var model: String?
    public var input: EmbedInput?
    public var truncate: Bool?
    public var dimensions: Int?
    public var keepAlive: KeepAlive?
    public var options: [String: JSONValue]?

    enum CodingKeys: String, CodingKey {
        case model, input, truncate, dimensions, options
        case keepAlive = "keep_alive"
    }
}

/// `POST /api/embeddings` (legacy, one prompt).
public struct EmbeddingsRequest: Codable, Sendable, Equatable {
    public var model: String?
    public var prompt: String?
    public var keepAlive: KeepAlive?
    public var options: [String: JSONValue]?

    enum CodingKeys: String, CodingKey {
        case model, prompt, options
        case keepAlive = "keep_alive"
    }
}
