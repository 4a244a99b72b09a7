/// `model`, or the deprecated `name` that the Go CLI and older clients still send.
public protocol NamedModelRequest {
    var model: String? { get }
    var name: String? { get }
}

extension NamedModelRequest {
    /// The model the request names, nil when neither field is set or both are empty.
    public var modelName: String? {
        if let model, !model.isEmpty { return model }
        if let name, !name.isEmpty { return name }
        return nil
    }
}

/// `POST /api/show`.
public struct ShowRequest: Codable, Sendable, Equatable, NamedModelRequest {
    public var model: String?
    public var name: String?
    public var verbose: Bool?
    public var system: String?
    public var options: [String: JSONValue]?

    public init(model: String, verbose: Bool? = nil) {
        self.model = model
        self.verbose = verbose
    }
}

/// `DELETE /api/delete`.
public struct DeleteRequest: Codable, Sendable, Equatable, NamedModelRequest {
    public var model: String?
    public var name: String?

    public init(model: String) { self.model = model }
}

/// `POST /api/copy`.
public struct CopyRequest: Codable, Sendable, Equatable {
    public var source: String?
    public var destination: String?

    public init(source: String, destination: String) {
        self.source = source
        self.destination = destination
    }
}

/// `POST /api/pull` and `POST /api/push`.
public struct TransferRequest: Codable, Sendable, Equatable, NamedModelRequest {
    public var model: String?
    public var name: String?
    public var insecure: Bool?
    public var stream: Bool?

    public init(model: String, stream: Bool? = nil) {
        self.model = model
        self.stream = stream
    }
}

/// `license` of `/api/create`: one text or several.
public enum LicenseText: Sendable, Equatable, Codable {
    case single(String)
    case many([String])

    public var texts: [String] {
        switch self {
        case let .single(text): return [text]
        case let .many(texts): return texts
        }
    }

    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let text = try? single.decode(String.self) {
            self = .single(text)
        } else {
            self = .many(try single.decode([String].self))
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

/// `POST /api/create` (ollama `api.CreateRequest`). `modelfile` is the pre-0.5 form, which
/// axllama still accepts so that a Modelfile can be sent as text.
public struct CreateRequest: Codable, Sendable, Equatable, NamedModelRequest {
    public var model: String?
    public var name: String?
    public var from: String?
    /// File name → `sha256:<hex>` digest of an uploaded blob.
    public var files: [String: String]?
    public var adapters: [String: String]?
    public var template: String?
    public var license: LicenseText?
    public var system: String?
    public var parameters: [String: JSONValue]?
    public var messages: [Message]?
    public var quantize: String?
    public var quantization: String?
    public var stream: Bool?
    public var modelfile: String?

    public init(model: String, from: String? = nil, modelfile: String? = nil, stream: Bool? = nil) {
        self.model = model
        self.from = from
        self.modelfile = modelfile
        self.stream = stream
    }
}
