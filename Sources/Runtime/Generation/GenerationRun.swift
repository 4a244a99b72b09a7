/// A generation together with the task that runs it.
public struct GenerationRun: Sendable {
    public let events: AsyncThrowingStream<GenerationEvent, any Error>
    /// Completes once the generation loop has returned; after a cancellation that is at most
    /// one token later than the stream's end.
    public let finished: Task<Void, Never>
}
