/// `stop` of the OpenAI requests: a string or a list of strings.
public struct StopList: Sendable, Equatable, Codable {
    public var values: [String]

    public init(_ values: [String]) { self.values = values }

    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let text = try? single.decode(String.self) {
            values = [text]
        } else if let texts = try? single.decode([String].self) {
            values = texts
        } else if single.decodeNil() {
            values = []
        } else {
            // (ollama openai/openai.go)
            throw WireDecodingError.invalidValue("invalid type for 'stop' field: expected a string or an array of strings")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        try single.encode(values)
    }
}

public struct StreamOptions: Codable, Sendable, Equatable {
    public var includeUsage: Bool?

    public init(includeUsage: Bool) { self.includeUsage = includeUsage }

    enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
}

/// An OpenAI chat message; `content` is a string, an array of parts, or null.
public struct OpenAIMessage: Codable, Sendable, Equatable {
    public struct ToolCall: Codable, Sendable, Equatable {
        public struct Function: Codable, Sendable, Equatable {
            public var name: String
            /// JSON text, as OpenAI sends arguments.
            public var arguments: String

            public init(name: String, arguments: String) {
                self.name = name
                self.arguments = arguments
            }
        }
        public var id: String?
        public var index: Int?
        public var type: String?
        public var function: Function

        public init(id: String?, index: Int?, type: String? = "function", function: Function) {
            self.id = id
            self.index = index
            self.type = type
            self.function = function
        }
    }

    public var role: String
    public var content: JSONValue?
    public var name: String?
    public var toolCalls: [ToolCall]?
    public var toolCallID: String?
    public var reasoning: String?

    enum CodingKeys: String, CodingKey {
        case role, content, name, reasoning
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
    }

    public init(role: String, content: String) {
        self.role = role
        self.content = .string(content)
    }

    /// The text of the message: the string, or the `text` parts joined. Image parts are
    /// reported so the server can refuse them as Ollama does for URLs.
    public func text() throws -> String {
        switch content {
        case nil, .null?: return ""
        case let .string(text)?: return text
        case let .array(parts)?:
            var text = ""
            for part in parts {
                switch part["type"]?.stringValue {
                case "text": text += part["text"]?.stringValue ?? ""
                case "image_url", "input_audio": continue
                default: throw WireDecodingError.invalidValue("invalid message format")
                }
            }
            return text
        default:
            throw WireDecodingError.invalidValue("invalid message content type")
        }
    }
}

/// `POST /v1/chat/completions` (ollama `openai.ChatCompletionRequest`).
public struct ChatCompletionRequest: Codable, Sendable, Equatable {
    public struct ResponseFormat: Codable, Sendable, Equatable {
        public struct Schema: Codable, Sendable, Equatable {
            public var schema: JSONValue?
        }
        public var type: String
        public var jsonSchema: Schema?

        enum CodingKeys: String, CodingKey {
            case type
            case jsonSchema = "json_schema"
        }
    }

    public struct Reasoning: Codable, Sendable, Equatable {
        public var effort: String?
    }

    public var model: String?
    public var messages: [OpenAIMessage]?
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var maxTokens: Int?
    public var maxCompletionTokens: Int?
    public var seed: Int?
    public var stop: StopList?
    public var temperature: Double?
    public var topP: Double?
    public var frequencyPenalty: Double?
    public var presencePenalty: Double?
    public var responseFormat: ResponseFormat?
    public var tools: [JSONValue]?
    public var reasoningEffort: String?
    public var reasoning: Reasoning?
    public var logprobs: Bool?
    public var topLogprobs: Int?

    public init(model: String, messages: [OpenAIMessage], stream: Bool? = nil) {
        self.model = model
        self.messages = messages
        self.stream = stream
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, seed, stop, temperature, tools, reasoning, logprobs
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case topP = "top_p"
        case frequencyPenalty = "frequency_penalty"
        case presencePenalty = "presence_penalty"
        case responseFormat = "response_format"
        case reasoningEffort = "reasoning_effort"
        case topLogprobs = "top_logprobs"
    }
}

/// `POST /v1/completions` (ollama `openai.CompletionRequest`); `prompt` is a string only.
public struct CompletionRequest: Codable, Sendable, Equatable {
    public var model: String?
    public var prompt: String?
    public var suffix: String?
    public var maxTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var seed: Int?
    public var stop: StopList?
    public var frequencyPenalty: Double?
    public var presencePenalty: Double?
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var logprobs: Int?

    enum CodingKeys: String, CodingKey {
        case model, prompt, suffix, temperature, seed, stop, stream, logprobs
        case maxTokens = "max_tokens"
        case topP = "top_p"
        case frequencyPenalty = "frequency_penalty"
        case presencePenalty = "presence_penalty"
        case streamOptions = "stream_options"
    }
}

/// `POST /v1/embeddings`.
public struct OpenAIEmbeddingRequest: Codable, Sendable, Equatable {
    public var model: String?
    public var input: JSONValue?
    public var dimensions: Int?
    public var encodingFormat: String?

    enum CodingKeys: String, CodingKey {
        case model, input, dimensions
        case encodingFormat = "encoding_format"
    }

    /// The inputs as texts; `""` counts as one empty input, `null`/`[]`/other types are invalid
    /// (ollama `openai.go`).
    public func texts() throws -> [String] {
        switch input {
        case let .string(text)?: return [text]
        case let .array(values)? where !values.isEmpty:
            return try values.map {
                guard let text = $0.stringValue else { throw WireDecodingError.invalidValue("invalid input") }
                return text
            }
        default: throw WireDecodingError.invalidValue("invalid input")
        }
    }
}
