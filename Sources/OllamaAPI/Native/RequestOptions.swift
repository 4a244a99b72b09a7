/// The `options` object of a request, checked against Ollama's option table. Only options that
/// are set are non-nil; defaults are applied by whoever runs the request (model PARAMETERs
/// first, then Ollama's defaults).
public struct RequestOptions: Sendable, Equatable {
    // Sampling (ollama `api.Options`).
    public var numKeep: Int?
    public var seed: Int?
    public var numPredict: Int?
    public var topK: Int?
    public var topP: Double?
    public var minP: Double?
    public var typicalP: Double?
    public var repeatLastN: Int?
    public var temperature: Double?
    public var repeatPenalty: Double?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    public var stop: [String]?
    // Load time (ollama `api.Runner`).
    public var numCtx: Int?
    public var numBatch: Int?
    public var numGPU: Int?
    public var mainGPU: Int?
    public var useMMap: Bool?
    public var numThread: Int?

    public init() {}

    private enum Kind { case integer, float, boolean, strings }

    /// Every option Ollama knows, with its type; the deprecated ones (`mirostat`, `tfs_z`, …)
    /// are accepted and ignored as Ollama does.
    private static let known: [String: Kind] = [
        "num_keep": .integer, "seed": .integer, "num_predict": .integer, "top_k": .integer, "top_p": .float,
        "min_p": .float, "typical_p": .float, "repeat_last_n": .integer, "temperature": .float,
        "repeat_penalty": .float, "presence_penalty": .float, "frequency_penalty": .float, "stop": .strings,
        "num_ctx": .integer, "num_batch": .integer, "num_gpu": .integer, "main_gpu": .integer,
        "use_mmap": .boolean, "num_thread": .integer, "draft_num_predict": .integer,
    ]

    /// Names the API docs and the Python client still list, which current Ollama ignores.
    public static let ignoredNames: Set<String> = [
        "numa", "low_vram", "f16_kv", "logits_all", "vocab_only", "use_mlock", "embedding_only", "tfs_z",
        "mirostat", "mirostat_tau", "mirostat_eta", "penalize_newline",
    ]

    /// Reads an `options` map with Ollama's type rules: integers accept JSON numbers (truncated),
    /// floats accept numbers, `stop` must be an array of strings; unknown keys are ignored; the
    /// errors carry Ollama's wording (ollama `api.Options.FromMap`).
    public init(map: [String: JSONValue]) throws {
        self.init()
        for (key, value) in map {
            guard let kind = Self.known[key] else { continue }
            if value == .null { continue }
            switch kind {
            case .integer:
                guard case let .number(number) = value else {
                    throw WireDecodingError.invalidValue("option \"\(key)\" must be of type integer")
                }
                set(integer: Int(number.rounded(.towardZero)), for: key)
            case .float:
                guard case let .number(number) = value else {
                    throw WireDecodingError.invalidValue("option \"\(key)\" must be of type float32")
                }
                set(float: number, for: key)
            case .boolean:
                guard case let .bool(flag) = value else {
                    throw WireDecodingError.invalidValue("option \"\(key)\" must be of type boolean")
                }
                useMMap = flag
            case .strings:
                guard case let .array(items) = value else {
                    throw WireDecodingError.invalidValue("option \"\(key)\" must be of type array")
                }
                stop = try items.map {
                    guard let text = $0.stringValue else {
                        throw WireDecodingError.invalidValue("option \"\(key)\" must be of an array of strings")
                    }
                    return text
                }
            }
        }
    }

    /// A Modelfile `PARAMETER` value converted to its option's JSON type; nil for unknown names.
    public static func typedValue(name: String, text: String) throws -> JSONValue? {
        guard let kind = known[name] else { return nil }
        switch kind {
        case .integer:
            guard let value = Int(text) else { throw WireDecodingError.invalidValue("invalid int value \"\(text)\" for parameter \(name)") }
            return .number(Double(value))
        case .float:
            guard let value = Double(text) else { throw WireDecodingError.invalidValue("invalid float value \"\(text)\" for parameter \(name)") }
            return .number(value)
        case .boolean:
            guard let value = Bool(text.lowercased()) else { throw WireDecodingError.invalidValue("invalid bool value \"\(text)\" for parameter \(name)") }
            return .bool(value)
        case .strings:
            return .string(text)
        }
    }

    public static func isList(_ name: String) -> Bool { known[name] == .strings }

    private mutating func set(integer: Int, for key: String) {
        switch key {
        case "num_keep": numKeep = integer
        case "seed": seed = integer
        case "num_predict": numPredict = integer
        case "top_k": topK = integer
        case "repeat_last_n": repeatLastN = integer
        case "num_ctx": numCtx = integer
        case "num_batch": numBatch = integer
        case "num_gpu": numGPU = integer
        case "main_gpu": mainGPU = integer
        case "num_thread": numThread = integer
        default: break
        }
    }

    private mutating func set(float: Double, for key: String) {
        switch key {
        case "top_p": topP = float
        case "min_p": minP = float
        case "typical_p": typicalP = float
        case "temperature": temperature = float
        case "repeat_penalty": repeatPenalty = float
        case "presence_penalty": presencePenalty = float
        case "frequency_penalty": frequencyPenalty = float
        default: break
        }
    }

    /// Values set here win over `base` (request options over model parameters).
    public func overriding(_ base: RequestOptions) -> RequestOptions {
        var merged = base
        merged.numKeep = numKeep ?? base.numKeep
        merged.seed = seed ?? base.seed
        merged.numPredict = numPredict ?? base.numPredict
        merged.topK = topK ?? base.topK
        merged.topP = topP ?? base.topP
        merged.minP = minP ?? base.minP
        merged.typicalP = typicalP ?? base.typicalP
        merged.repeatLastN = repeatLastN ?? base.repeatLastN
        merged.temperature = temperature ?? base.temperature
        merged.repeatPenalty = repeatPenalty ?? base.repeatPenalty
        merged.presencePenalty = presencePenalty ?? base.presencePenalty
        merged.frequencyPenalty = frequencyPenalty ?? base.frequencyPenalty
        merged.stop = stop ?? base.stop
        merged.numCtx = numCtx ?? base.numCtx
        merged.numBatch = numBatch ?? base.numBatch
        merged.numGPU = numGPU ?? base.numGPU
        merged.mainGPU = mainGPU ?? base.mainGPU
        merged.useMMap = useMMap ?? base.useMMap
        merged.numThread = numThread ?? base.numThread
        return merged
    }
}
