/// What a generation's output must look like: a grammar over the whole output, from its first
/// token. Free parts (a thinking model's thought, the text around tool calls) are part of the
/// grammar, so a token that straddles a marker is checked like any other.
public struct OutputConstraint: Sendable {
    public var grammar: Grammar

    public init(grammar: Grammar) {
        self.grammar = grammar
    }
}
