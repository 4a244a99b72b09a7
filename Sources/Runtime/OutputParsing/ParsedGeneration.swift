import EngineInterface

/// A generation stream after the chat output parser: pieces of content, thinking and tool
/// calls, then the final summary.
public enum ParsedGenerationEvent: Sendable, Equatable {
    case piece(ChatOutputParser.Piece)
    case done(reason: DoneReason, metrics: GenerationMetrics, context: [TokenID])
}

extension ChatOutputParser {
    /// Runs `events` through the parser. Pieces that parse to nothing (a marker being held
    /// back) are not yielded; what is still held back at the end comes before the summary.
    /// Cancelling the consumer cancels the generation.
    public func parse(_ events: AsyncThrowingStream<GenerationEvent, any Error>) -> AsyncThrowingStream<ParsedGenerationEvent, any Error> {
        let initial = self
        return AsyncThrowingStream { continuation in
            let task = Task {
                var parser = initial
                do {
                    for try await event in events {
                        switch event {
                        case .text(let text):
                            let piece = parser.feed(text)
                            if !piece.isEmpty { continuation.yield(.piece(piece)) }
                        case .done(let reason, let metrics, let context):
                            let rest = parser.finish()
                            if !rest.isEmpty { continuation.yield(.piece(rest)) }
                            continuation.yield(.done(reason: reason, metrics: metrics, context: context))
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
