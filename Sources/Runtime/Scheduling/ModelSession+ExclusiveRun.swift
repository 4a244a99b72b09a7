import EngineInterface

/// A generation together with the task that runs it, so that whoever owns the engine can wait
/// for the loop to stop (not only for the stream to end) before handing the engine on.
public struct GenerationRun: Sendable {
    public let events: AsyncThrowingStream<GenerationEvent, any Error>
    /// Completes once the generation loop has returned; after a cancellation that is at most
    /// one token later than the stream's end.
    public let finished: Task<Void, Never>
}

extension ModelSession {
    /// Starts a generation like `generate(prompt:options:)` and also returns its task. The
    /// session actor is re-entrant while the engine computes, so a second generation must not
    /// start before `finished` completes; the scheduler's lease is released only then.
    public nonisolated func start(prompt: [TokenID], options: SamplingOptions, constraint: OutputConstraint? = nil) -> GenerationRun {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        let task = Task {
            do {
                try await self.run(prompt: prompt, options: options, constraint: constraint) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return GenerationRun(events: stream, finished: task)
    }
}
