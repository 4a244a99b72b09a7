/// How long a model stays resident once its last request has finished.
public enum KeepAliveDuration: Sendable, Equatable, Hashable, Comparable {
    case nanoseconds(Int64)
    case forever

    /// Ollama's default (`OLLAMA_KEEP_ALIVE` unset: 5m, ollama `envconfig`).
    public static let ollamaDefault = KeepAliveDuration.nanoseconds(5 * 60 * 1_000_000_000)
    public static let zero = KeepAliveDuration.nanoseconds(0)

    public static func < (lhs: KeepAliveDuration, rhs: KeepAliveDuration) -> Bool {
        switch (lhs, rhs) {
        case let (.nanoseconds(a), .nanoseconds(b)): return a < b
        case (.nanoseconds, .forever): return true
        case (.forever, _): return false
        }
    }
}
