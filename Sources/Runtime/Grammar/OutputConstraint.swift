/// What a generation's output must look like: a grammar, and when it starts to apply.
public struct OutputConstraint: Sendable {
    public enum Activation: Sendable, Equatable {
        case immediately
        /// Unconstrained until the generated text contains `marker` (e.g. `</think>`), then the
        /// grammar applies from the next token on; the rest of the token that completes the marker
        /// is not part of the constrained value. Thinking models think freely first, as in Ollama.
        case afterText(String)
    }

    public var grammar: Grammar
    public var activation: Activation

    public init(grammar: Grammar, activation: Activation = .immediately) {
        self.grammar = grammar
        self.activation = activation
    }
}
