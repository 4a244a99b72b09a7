import Runtime

/// The running conversation of `axllama run`: history in, streamed answer out.
struct ChatConversation {
    let session: ModelSession
    let options: SamplingOptions
    private(set) var messages: [ChatMessage] = []

    init(session: ModelSession, options: SamplingOptions) {
        self.session = session
        self.options = options
    }

    mutating func clear() { messages.removeAll() }

    /// Sends `text` as the next user turn, writes the answer as it streams, and keeps it in the history.
    mutating func reply(to text: String, output: (String) -> Void) async throws -> GenerationMetrics {
        messages.append(.user(text))
        let rendered = try session.promptFormat.render(messages, addGenerationPrompt: true)
        let tokens = session.tokenizer.encode(rendered, addSpecial: true, parseSpecial: true)
        var answer = ""
        var metrics = GenerationMetrics()
        for try await event in session.generate(prompt: tokens, options: options) {
            switch event {
            case let .text(piece):
                answer += piece
                output(piece)
            case let .done(_, final, _):
                metrics = final
            }
        }
        messages.append(.assistant(answer))
        return metrics
    }
}
