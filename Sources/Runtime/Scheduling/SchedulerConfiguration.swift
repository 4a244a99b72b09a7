/// Residency and queueing limits, with Ollama's defaults and environment names.
public struct SchedulerConfiguration: Sendable, Equatable {
    /// Keep-alive of requests that do not say (`OLLAMA_KEEP_ALIVE`).
    public var defaultKeepAlive: KeepAliveDuration
    /// Models resident at once (`OLLAMA_MAX_LOADED_MODELS`; Ollama's automatic value on a
    /// machine without GPUs is 3, ollama `server/sched.go`).
    public var maxLoadedModels: Int
    /// Requests that may wait for one model, loading or busy (`OLLAMA_MAX_QUEUE`, default 512).
    /// Unlike Ollama, requests to an already loaded model count too (ollama/ollama#7758).
    public var maxQueue: Int
    /// Models never evicted and never expired (`AXLLAMA_PIN`).
    public var pinned: Set<String>

    public init(defaultKeepAlive: KeepAliveDuration = .ollamaDefault, maxLoadedModels: Int = 3, maxQueue: Int = 512, pinned: Set<String> = []) {
        self.defaultKeepAlive = defaultKeepAlive
        self.maxLoadedModels = max(1, maxLoadedModels)
        self.maxQueue = max(0, maxQueue)
        self.pinned = pinned
    }
}

/// Why the scheduler could not hand out a model.
public enum SchedulerError: Error, Equatable, CustomStringConvertible {
    /// The model's queue is full.
    case serverBusy
    /// The scheduler is shutting down.
    case shuttingDown

    public var description: String {
        switch self {
        // Ollama's exact text, two spaces included (ollama `server/sched.go` ErrMaxQueue).
        case .serverBusy: return "server busy, please try again.  maximum pending requests exceeded"
        case .shuttingDown: return "the server is shutting down"
        }
    }
}
