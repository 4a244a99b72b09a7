/// What `/api/tags`, `/api/ps` and `/api/show` say about a model's weights (ollama `api.ModelDetails`).
public struct ModelDetails: Codable, Sendable, Equatable {
    public var parentModel: String
    public var format: String
    public var family: String
    public var families: [String]?
    public var parameterSize: String
    public var quantizationLevel: String
    public var contextLength: Int?
    public var embeddingLength: Int?

    public init(parentModel: String = "", format: String, family: String, families: [String]?, parameterSize: String,
                quantizationLevel: String, contextLength: Int? = nil, embeddingLength: Int? = nil) {
        self.parentModel = parentModel
        self.format = format
        self.family = family
        self.families = families
        self.parameterSize = parameterSize
        self.quantizationLevel = quantizationLevel
        self.contextLength = contextLength
        self.embeddingLength = embeddingLength
    }

    enum CodingKeys: String, CodingKey {
        case format, family, families
        case parentModel = "parent_model"
        case parameterSize = "parameter_size"
        case quantizationLevel = "quantization_level"
        case contextLength = "context_length"
        case embeddingLength = "embedding_length"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        parentModel = try c.decodeIfPresent(String.self, forKey: .parentModel) ?? ""
        format = try c.decodeIfPresent(String.self, forKey: .format) ?? ""
        family = try c.decodeIfPresent(String.self, forKey: .family) ?? ""
        families = try c.decodeIfPresent([String].self, forKey: .families)
        parameterSize = try c.decodeIfPresent(String.self, forKey: .parameterSize) ?? ""
        quantizationLevel = try c.decodeIfPresent(String.self, forKey: .quantizationLevel) ?? ""
        contextLength = try c.decodeIfPresent(Int.self, forKey: .contextLength)
        embeddingLength = try c.decodeIfPresent(Int.self, forKey: .embeddingLength)
    }

    /// The first six fields are always written (no `omitempty` in Go); `families` is null when unset.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(parentModel, forKey: .parentModel)
        try c.encode(format, forKey: .format)
        try c.encode(family, forKey: .family)
        if let families { try c.encode(families, forKey: .families) } else { try c.encodeNil(forKey: .families) }
        try c.encode(parameterSize, forKey: .parameterSize)
        try c.encode(quantizationLevel, forKey: .quantizationLevel)
        if let contextLength, contextLength > 0 { try c.encode(contextLength, forKey: .contextLength) }
        if let embeddingLength, embeddingLength > 0 { try c.encode(embeddingLength, forKey: .embeddingLength) }
    }
}

/// One entry of `/api/tags`.
public struct ListModel: Codable, Sendable, Equatable {
    public var name: String
    public var model: String
    public var modifiedAt: WireTimestamp
    public var size: Int64
    /// Hex SHA-256 of the manifest, without the `sha256:` prefix.
    public var digest: String
    public var details: ModelDetails
    public var capabilities: [String]?

    public init(name: String, modifiedAt: WireTimestamp, size: Int64, digest: String, details: ModelDetails, capabilities: [String]?) {
        self.name = name
        self.model = name
        self.modifiedAt = modifiedAt
        self.size = size
        self.digest = digest
        self.details = details
        self.capabilities = capabilities
    }

    enum CodingKeys: String, CodingKey {
        case name, model, size, digest, details, capabilities
        case modifiedAt = "modified_at"
    }
}

public struct ListResponse: Codable, Sendable, Equatable {
    public var models: [ListModel]
    public init(models: [ListModel]) { self.models = models }
}

/// One entry of `/api/ps`.
public struct ProcessModel: Codable, Sendable, Equatable {
    public var name: String
    public var model: String
    public var size: Int64
    public var digest: String
    public var details: ModelDetails
    public var expiresAt: WireTimestamp
    public var sizeVRAM: Int64
    public var contextLength: Int

    public init(name: String, size: Int64, digest: String, details: ModelDetails, expiresAt: WireTimestamp, sizeVRAM: Int64, contextLength: Int) {
        self.name = name
        self.model = name
        self.size = size
        self.digest = digest
        self.details = details
        self.expiresAt = expiresAt
        self.sizeVRAM = sizeVRAM
        self.contextLength = contextLength
    }

    enum CodingKeys: String, CodingKey {
        case name, model, size, digest, details
        case expiresAt = "expires_at"
        case sizeVRAM = "size_vram"
        case contextLength = "context_length"
    }
}

public struct ProcessResponse: Codable, Sendable, Equatable {
    public var models: [ProcessModel]
    public init(models: [ProcessModel]) { self.models = models }
}

/// `/api/show` answer (ollama `api.ShowResponse`); `model_info` is always present, at least `{}`,
/// because several integrations crash without it.
public struct ShowResponse: Codable, Sendable, Equatable {
    public var license: String?
    public var modelfile: String?
    public var parameters: String?
    public var template: String?
    public var system: String?
    public var details: ModelDetails
    public var messages: [Message]?
    public var modelInfo: JSONValue
    public var capabilities: [String]?
    public var modifiedAt: WireTimestamp?

    public init(license: String? = nil, modelfile: String? = nil, parameters: String? = nil, template: String? = nil, system: String? = nil,
                details: ModelDetails, messages: [Message]? = nil, modelInfo: JSONValue, capabilities: [String]?, modifiedAt: WireTimestamp?) {
        self.license = license
        self.modelfile = modelfile
        self.parameters = parameters
        self.template = template
        self.system = system
        self.details = details
        self.messages = messages
        self.modelInfo = modelInfo
        self.capabilities = capabilities
        self.modifiedAt = modifiedAt
    }

    enum CodingKeys: String, CodingKey {
        case license, modelfile, parameters, template, system, details, messages, capabilities
        case modelInfo = "model_info"
        case modifiedAt = "modified_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        for (key, value) in [(CodingKeys.license, license), (.modelfile, modelfile), (.parameters, parameters), (.template, template), (.system, system)] {
            if let value, !value.isEmpty { try c.encode(value, forKey: key) }
        }
        try c.encode(details, forKey: .details)
        if let messages, !messages.isEmpty { try c.encode(messages, forKey: .messages) }
        try c.encode(modelInfo, forKey: .modelInfo)
        if let capabilities, !capabilities.isEmpty { try c.encode(capabilities, forKey: .capabilities) }
        try c.encodeIfPresent(modifiedAt, forKey: .modifiedAt)
    }
}

/// A progress line of pull, push and create (ollama `api.ProgressResponse`).
public struct ProgressResponse: Codable, Sendable, Equatable {
    public var status: String
    public var digest: String?
    public var total: Int64?
    public var completed: Int64?

    public init(status: String, digest: String? = nil, total: Int64? = nil, completed: Int64? = nil) {
        self.status = status
        self.digest = digest
        self.total = total
        self.completed = completed
    }
}

public struct VersionResponse: Codable, Sendable, Equatable {
    public var version: String
    public init(version: String) { self.version = version }
}

/// A native error body: `{"error":"…"}`. Also the last line of a stream that failed mid-way.
public struct ErrorResponse: Codable, Sendable, Equatable {
    public var error: String
    public init(error: String) { self.error = error }
}
