/// A token id in a model's vocabulary.
public typealias TokenID = Int32

/// What the rest of the system needs to know about a loaded model, whatever engine runs it.
public struct ModelDescriptor: Sendable, Equatable {
    /// `general.architecture` for GGUF models (`llama`, `qwen2`, `qwen3`), or the package's family.
    public var architecture: String
    public var vocabularySize: Int
    /// Positions the engine can hold in its cache (already capped by the model's trained context).
    public var contextLength: Int
    /// Width of the hidden state, which is also the length of an embedding vector.
    public var embeddingLength: Int
    public var layerCount: Int
    public var parameterCount: Int?
    /// Human-readable quantization, e.g. `Q4_1`, `Q8_0`, `W8A16`.
    public var quantization: String?
    /// Accelerator memory the loaded model holds (an NPU card's CMM); nil for host-memory engines.
    public var deviceMemoryBytes: Int64?

    public init(architecture: String, vocabularySize: Int, contextLength: Int, embeddingLength: Int,
                layerCount: Int, parameterCount: Int? = nil, quantization: String? = nil, deviceMemoryBytes: Int64? = nil) {
        self.deviceMemoryBytes = deviceMemoryBytes
        self.architecture = architecture
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.embeddingLength = embeddingLength
        self.layerCount = layerCount
        self.parameterCount = parameterCount
        self.quantization = quantization
    }
}

/// Scores over the vocabulary for the next token after the last position evaluated.
public struct Logits: Sendable {
    public var values: [Float]
    public init(_ values: [Float]) { self.values = values }
}

/// The health an engine reports about itself and the device under it.
public struct EngineHealth: Sendable, Equatable {
    public enum State: String, Sendable {
        case ready, degraded, recovering, failed
    }
    public var state: State
    /// A sentence a person can act on when the state is not `ready`.
    public var detail: String?

    public init(state: State, detail: String? = nil) {
        self.state = state
        self.detail = detail
    }

    public static let ready = EngineHealth(state: .ready)
}

/// Errors every engine can raise for a request; engine-specific faults carry their own types.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    case contextOverflow(requested: Int, capacity: Int)
    case invalidPosition(position: Int, cached: Int)
    case tokenOutOfRange(TokenID, vocabularySize: Int)
    case cancelled

    public var description: String {
        switch self {
        case let .contextOverflow(requested, capacity):
            return "the request needs \(requested) positions but the model's context holds \(capacity)"
        case let .invalidPosition(position, cached):
            return "cannot evaluate at position \(position): the cache holds \(cached) positions"
        case let .tokenOutOfRange(token, size):
            return "token id \(token) is outside the vocabulary of \(size) tokens"
        case .cancelled:
            return "generation was cancelled"
        }
    }
}

/// One model instance on one device. It evaluates one sequence at a time; the scheduler in
/// Runtime guarantees that calls do not overlap.
public protocol InferenceEngine: AnyObject, Sendable {
    var descriptor: ModelDescriptor { get }

    /// Evaluates `tokens` at positions `position ..< position + tokens.count`, appending their keys
    /// and values to the cache, and returns the logits after the last one. `position` must equal
    /// the number of cached positions (truncate first to rewind).
    func forward(_ tokens: [TokenID], at position: Int) async throws -> Logits

    /// Keeps the first `length` cached positions and forgets the rest.
    func truncateCache(to length: Int) async

    /// A pooled, L2-normalised embedding of `tokens`; leaves the generation cache untouched.
    func embedding(for tokens: [TokenID]) async throws -> [Float]

    func health() async -> EngineHealth
}

/// An engine holding device resources that dropping the last reference does not free: the
/// scheduler calls `unload` when it evicts the model.
public protocol DeviceResidentEngine: InferenceEngine {
    func unload() async throws
}
