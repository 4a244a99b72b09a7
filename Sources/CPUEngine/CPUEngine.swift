import EngineInterface
import GGUF
import Synchronization

/// The pure-Swift CPU engine for llama-family GGUF models (llama, qwen2, qwen3): weights read in place from the
/// memory-mapped file, one KV cache for the context, a persistent worker pool.
public final class CPUEngine: InferenceEngine, @unchecked Sendable {
    public let descriptor: ModelDescriptor
    /// Threads the forward pass runs on, the caller included.
    public var threadCount: Int { transformer.pool.workerCount }

    private let file: GGUFFile  // keeps the mapping the weights point into alive
    private let transformer: LlamaTransformer
    private let cache: KVCache
    /// Serialises calls: the run state and cache are shared by all of them.
    private let lock = Mutex(())

    /// Ollama's default context when a request sets none (Ollama docs, num_ctx).
    public static let defaultContextLength = 4096

    /// - Parameters:
    ///   - contextLength: positions the cache holds; defaults to 4096 capped by the trained context.
    ///   - threads: defaults to the number of online cores.
    ///   - batchSize: prompt tokens evaluated together in one pass over the weights.
    public init(file: GGUFFile, contextLength: Int? = nil, threads: Int? = nil, batchSize: Int = 64) throws {
        let shape = try LlamaHyperparameters(file: file)
        let weights = try LlamaWeights(file: file, shape: shape)
        let capacity = min(contextLength ?? Self.defaultContextLength, shape.trainedContextLength)
        guard capacity > 0 else { throw CPUEngineError.invalidHyperparameters("a context of \(capacity) positions") }
        self.file = file
        let pool = WorkerPool(threads: threads ?? availableCoreCount())
        transformer = LlamaTransformer(shape: shape, weights: weights, batchCapacity: max(1, batchSize),
                                       contextCapacity: capacity, pool: pool)
        cache = KVCache(layers: shape.layerCount, capacity: capacity, kvWidth: shape.kvWidth)
        descriptor = ModelDescriptor(
            architecture: shape.architecture.rawValue, vocabularySize: shape.vocabularySize, contextLength: capacity,
            embeddingLength: shape.embeddingLength, layerCount: shape.layerCount,
            parameterCount: file.tensors.reduce(0) { $0 + $1.elementCount },
            quantization: weights.layers.first?.query.type.name)
    }

    deinit {
        transformer.pool.shutdown()
    }

    /// Makes the forward pass round to bf16 where an NPU card's engines exchange data: the
    /// reference the NPU path on the simulator must match exactly (see `LlamaTransformer`).
    package func roundAtCardBoundaries(_ enabled: Bool) {
        lock.withLock { _ in transformer.roundsAtCardBoundaries = enabled }
    }

    /// Positions currently in the cache.
    public var cachedCount: Int { lock.withLock { _ in cache.count } }

    public func forward(_ tokens: [TokenID], at position: Int) async throws -> Logits {
        try evaluate(tokens, at: position)
    }

    public func truncateCache(to length: Int) async {
        truncate(to: length)
    }

    public func embedding(for tokens: [TokenID]) async throws -> [Float] {
        try embed(tokens)
    }

    public func health() async -> EngineHealth { .ready }

    // MARK: synchronous forms (the async ones above call these; benchmarks and tests use them)

    /// Evaluates `tokens` at positions position..<position+count and returns the logits after
    /// the last one. `position` must equal the number of cached positions.
    public func evaluate(_ tokens: [TokenID], at position: Int) throws -> Logits {
        try lock.withLock { _ in
            try validate(tokens, startingAt: position, capacity: cache.capacity)
            guard position == cache.count else {
                throw EngineError.invalidPosition(position: position, cached: cache.count)
            }
            tokens.withUnsafeBufferPointer {
                transformer.evaluate($0, cache: cache, computeLogits: true)
            }
            return Logits(Array(UnsafeBufferPointer(start: transformer.state.logits,
                                                    count: descriptor.vocabularySize)))
        }
    }

    /// Copies of the cached keys and values of every layer at slots 0..<cachedCount, layer by layer.
    func cachedKeysAndValues() -> (keys: [Float], values: [Float]) {
        lock.withLock { _ in
            var keys: [Float] = [], values: [Float] = []
            for layer in 0..<cache.layerCount {
                keys += UnsafeBufferPointer(start: cache.keys(layer: layer, slot: 0), count: cache.count * cache.kvWidth)
                values += UnsafeBufferPointer(start: cache.values(layer: layer, slot: 0), count: cache.count * cache.kvWidth)
            }
            return (keys, values)
        }
    }

    public func truncate(to length: Int) {
        lock.withLock { _ in cache.count = max(0, min(length, cache.count)) }
    }

    /// Mean of the final normalised hidden states of `tokens`, L2-normalised. Evaluated in a
    /// cache of its own, so the generation cache is untouched.
    public func embed(_ tokens: [TokenID]) throws -> [Float] {
        try lock.withLock { _ in
            try validate(tokens, startingAt: 0, capacity: cache.capacity)
            let dim = descriptor.embeddingLength
            let scratch = KVCache(layers: descriptor.layerCount, capacity: tokens.count, kvWidth: transformer.shape.kvWidth)
            var sum = [Float](repeating: 0, count: dim)
            sum.withUnsafeMutableBufferPointer { pooled in
                tokens.withUnsafeBufferPointer {
                    transformer.evaluate($0, cache: scratch, computeLogits: false, pooled: pooled.baseAddress!)
                }
            }
            let norm = sum.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? sum.map { $0 / norm } : sum
        }
    }

    private func validate(_ tokens: [TokenID], startingAt position: Int, capacity: Int) throws {
        guard !tokens.isEmpty else { throw CPUEngineError.emptyInput }
        guard position + tokens.count <= capacity else {
            throw EngineError.contextOverflow(requested: position + tokens.count, capacity: capacity)
        }
        let vocabulary = descriptor.vocabularySize
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
            throw EngineError.tokenOutOfRange(bad, vocabularySize: vocabulary)
        }
    }
}
