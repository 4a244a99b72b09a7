import EngineInterface

/// Why a generation ended, with Ollama's wire spelling.
public enum DoneReason: String, Sendable, Equatable {
    /// An end-of-generation token or a stop string.
    case stop
    /// `num_predict` tokens were produced, or the context is full.
    case length
}

/// Ollama's timing and count fields; durations in nanoseconds.
public struct GenerationMetrics: Sendable, Equatable {
    public var totalDuration: UInt64 = 0
    public var loadDuration: UInt64 = 0
    public var promptEvalCount = 0
    public var promptEvalDuration: UInt64 = 0
    public var evalCount = 0
    public var evalDuration: UInt64 = 0
    /// Prompt positions served from the engine's cache instead of being evaluated again.
    public var cachedPromptCount = 0

    public init() {}
}

/// What a generation stream yields: text as it becomes printable, then one final summary.
public enum GenerationEvent: Sendable, Equatable {
    case text(String)
    case done(reason: DoneReason, metrics: GenerationMetrics, context: [TokenID])
}
