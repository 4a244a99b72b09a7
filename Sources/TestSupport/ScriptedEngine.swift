import EngineInterface
import Synchronization

/// A deterministic stand-in for a real engine, for tests of everything above the engine: after
/// evaluating position `p` it puts all the probability mass on `next(p, lastToken)`. It records
/// what it was asked to do, and can be slowed down to test queueing and cancellation.
public final class ScriptedEngine: InferenceEngine, @unchecked Sendable {
    public struct Record: Sendable, Equatable {
        public var forwardCalls = 0
        public var evaluatedTokens = 0
        public var truncations: [Int] = []
    }

    public let descriptor: ModelDescriptor
    private let next: @Sendable (_ position: Int, _ lastToken: TokenID) -> TokenID
    private let delayNanoseconds: UInt64
    private let state = Mutex<(cached: [TokenID], record: Record)>(([], Record()))

    public init(vocabularySize: Int = 64, contextLength: Int = 256, delayNanoseconds: UInt64 = 0,
                next: @escaping @Sendable (_ position: Int, _ lastToken: TokenID) -> TokenID) {
        descriptor = ModelDescriptor(architecture: "scripted", vocabularySize: vocabularySize,
                                     contextLength: contextLength, embeddingLength: 8, layerCount: 1)
        self.next = next
        self.delayNanoseconds = delayNanoseconds
    }

    /// An engine that always continues with the tokens of `script`, then repeats its last token.
    public convenience init(answer script: [TokenID], vocabularySize: Int = 64, contextLength: Int = 256,
                            delayNanoseconds: UInt64 = 0) {
        let counter = Mutex(0)
        self.init(vocabularySize: vocabularySize, contextLength: contextLength, delayNanoseconds: delayNanoseconds) { _, _ in
            counter.withLock { index in
                defer { index += 1 }
                return script[min(index, script.count - 1)]
            }
        }
    }

    public var record: Record { state.withLock { $0.record } }
    public var cachedTokens: [TokenID] { state.withLock { $0.cached } }

    public func forward(_ tokens: [TokenID], at position: Int) async throws -> Logits {
        if delayNanoseconds > 0 { try await Task.sleep(nanoseconds: delayNanoseconds * UInt64(tokens.count)) }
        let last: TokenID = try state.withLock { state in
            guard position == state.cached.count else {
                throw EngineError.invalidPosition(position: position, cached: state.cached.count)
            }
            guard position + tokens.count <= descriptor.contextLength else {
                throw EngineError.contextOverflow(requested: position + tokens.count, capacity: descriptor.contextLength)
            }
            state.cached += tokens
            state.record.forwardCalls += 1
            state.record.evaluatedTokens += tokens.count
            return tokens.last ?? 0
        }
        var logits = [Float](repeating: -10, count: descriptor.vocabularySize)
        let chosen = Int(next(position + tokens.count - 1, last))
        logits[chosen % descriptor.vocabularySize] = 10
        return Logits(logits)
    }

    public func truncateCache(to length: Int) async {
        state.withLock { state in
            state.cached.removeSubrange(min(length, state.cached.count)...)
            state.record.truncations.append(length)
        }
    }

    public func embedding(for tokens: [TokenID]) async throws -> [Float] {
        var vector = [Float](repeating: 0, count: descriptor.embeddingLength)
        for (index, token) in tokens.enumerated() { vector[index % vector.count] += Float(token) }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    public func health() async -> EngineHealth { .ready }
}
