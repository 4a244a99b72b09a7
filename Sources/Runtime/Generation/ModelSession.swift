import EngineInterface
import Tokenizer

/// One loaded model: its engine, its tokenizer, and the tokens currently held in the engine's
/// cache. A session runs one generation at a time (it is an actor); the scheduler queues the rest.
public actor ModelSession {
    public nonisolated let engine: any InferenceEngine
    public nonisolated let tokenizer: BPETokenizer
    public nonisolated let promptFormat: any PromptFormat
    /// Tokens whose keys and values are in the engine's cache, in order.
    public private(set) var cachedTokens: [TokenID] = []
    /// Whether the engine was asked for a prefix it restored at load.
    private var adoptedRestoredPrefix = false

    /// Prompt tokens are evaluated in chunks of this size so that a cancelled request stops
    /// between chunks instead of after the whole prompt.
    let prefillChunk = 256

    public init(engine: any InferenceEngine, tokenizer: BPETokenizer, promptFormat: any PromptFormat) {
        self.engine = engine
        self.tokenizer = tokenizer
        self.promptFormat = promptFormat
    }

    public var descriptor: ModelDescriptor { engine.descriptor }

    /// Streams a completion of `prompt`. Cancelling the consuming task (or dropping the stream)
    /// stops generation at the next token. With a `constraint`, only tokens that keep the output
    /// inside its grammar are sampled, and generation stops when the value is complete.
    public nonisolated func generate(prompt: [TokenID], options: SamplingOptions, constraint: OutputConstraint? = nil) -> AsyncThrowingStream<GenerationEvent, any Error> {
        start(prompt: prompt, options: options, constraint: constraint).events
    }

    /// Starts a generation and also returns its task, so that whoever hands the engine on can
    /// wait for the loop itself to stop, not only for the stream to end.
    public nonisolated func start(prompt: [TokenID], options: SamplingOptions, constraint: OutputConstraint? = nil) -> GenerationRun {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        let task = Task {
            do {
                try await self.runExclusively(prompt: prompt, options: options, constraint: constraint) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return GenerationRun(events: stream, finished: task)
    }

    // An actor is re-entrant at every `await`, so two generations could otherwise interleave
    // on one engine while it computes. Runs wait their turn here, in arrival order.
    private var isRunning = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func runExclusively(prompt: [TokenID], options: SamplingOptions, constraint: OutputConstraint?, emit: (GenerationEvent) -> Void) async throws {
        if isRunning {
            await withCheckedContinuation { waiting.append($0) }
        }
        isRunning = true
        defer {
            if waiting.isEmpty { isRunning = false } else { waiting.removeFirst().resume() }
        }
        try await run(prompt: prompt, options: options, constraint: constraint, emit: emit)
    }

    /// The generation loop: reuse the cached prefix, evaluate the rest of the prompt, then
    /// sample → detokenize → match stop strings → emit, one token at a time.
    func run(prompt: [TokenID], options: SamplingOptions, constraint: OutputConstraint? = nil, emit: (GenerationEvent) -> Void) async throws {
        let start = MonotonicClock.nanoseconds()
        let descriptor = engine.descriptor
        let capacity = descriptor.contextLength
        guard !prompt.isEmpty else { throw GenerationError.emptyPrompt }
        guard prompt.count < capacity else {
            throw EngineError.contextOverflow(requested: prompt.count + 1, capacity: capacity)
        }
        for token in prompt where token < 0 || Int(token) >= descriptor.vocabularySize {
            throw EngineError.tokenOutOfRange(token, vocabularySize: descriptor.vocabularySize)
        }

        if !adoptedRestoredPrefix {
            adoptedRestoredPrefix = true
            if cachedTokens.isEmpty, let restoring = engine as? any PrefixRestoringEngine { cachedTokens = await restoring.restoredPrefix() }
        }
        var metrics = GenerationMetrics()
        // The last prompt token is always evaluated again: its logits are needed to sample.
        let reused = min(commonPrefixLength(cachedTokens, prompt), prompt.count - 1)
        if reused < cachedTokens.count {
            await engine.truncateCache(to: reused)
            cachedTokens.removeSubrange(reused...)
        }
        metrics.cachedPromptCount = reused

        var logits = Logits([])
        var position = reused
        while position < prompt.count {
            try Task.checkCancellation()
            let end = min(position + prefillChunk, prompt.count)
            let chunk = Array(prompt[position ..< end])
            logits = try await engine.forward(chunk, at: position)
            cachedTokens.append(contentsOf: chunk)
            position = end
        }
        let promptDone = MonotonicClock.nanoseconds()
        metrics.promptEvalCount = prompt.count - reused
        metrics.promptEvalDuration = promptDone - start

        var sampler = Sampler(options: options, vocabularySize: descriptor.vocabularySize, contextLength: capacity)
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        var stopMatcher = StopSequenceMatcher(stops: options.stop)
        var generated: [TokenID] = []
        var reason = DoneReason.length
        let grammar = constraint.map {
            GrammarMatcher(constraint: $0, vocabulary: TokenTrie.shared(for: tokenizer, vocabularySize: descriptor.vocabularySize))
        }

        while true {
            try Task.checkCancellation()
            if let grammar {
                // The value must be able to close within what num_predict and the context allow.
                var remaining = capacity - 1 - cachedTokens.count
                if options.numPredict >= 0 { remaining = min(remaining, options.numPredict - generated.count) }
                try grammar.constrain(&logits.values, remainingTokens: remaining)
            }
            let token = sampler.sample(logits: &logits.values, history: cachedTokens)
            try grammar?.accept(token)
            if tokenizer.isEndOfGeneration(token) {
                reason = .stop
                break
            }
            generated.append(token)
            let step = stopMatcher.feed(detokenizer.append(token))
            if !step.text.isEmpty { emit(.text(step.text)) }
            if step.stopped || grammar?.mustEnd == true {
                reason = .stop
                break
            }
            if options.numPredict >= 0 && generated.count >= options.numPredict { break }
            if cachedTokens.count + 1 >= capacity { break }
            logits = try await engine.forward([token], at: cachedTokens.count)
            cachedTokens.append(token)
        }
        if !stopMatcher.isStopped {
            let rest = stopMatcher.feed(detokenizer.finish())
            let tail = rest.stopped ? rest.text : rest.text + stopMatcher.finish()
            if !tail.isEmpty { emit(.text(tail)) }
        }

        let end = MonotonicClock.nanoseconds()
        metrics.evalCount = generated.count
        metrics.evalDuration = end - promptDone
        metrics.totalDuration = end - start
        emit(.done(reason: reason, metrics: metrics, context: prompt + generated))
    }
}

/// Failures of the generation pipeline itself (engine faults pass through unchanged).
public enum GenerationError: Error, Equatable, CustomStringConvertible {
    case emptyPrompt

    public var description: String {
        switch self {
        case .emptyPrompt: return "the prompt is empty"
        }
    }
}

func commonPrefixLength(_ a: [TokenID], _ b: [TokenID]) -> Int {
    var length = 0
    let limit = min(a.count, b.count)
    while length < limit && a[length] == b[length] { length += 1 }
    return length
}
