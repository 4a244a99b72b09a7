/// A compiled grammar: a graph of byte-consuming and epsilon nodes with rule calls, run as a
/// pushdown recogniser by `GrammarAutomaton`. Immutable and shareable between generations.
public struct Grammar: Sendable {
    enum Node: Sendable {
        /// Consume one byte of the set, then continue at `next`.
        case bytes(ByteSet, next: Int32)
        /// Continue at every listed node without consuming (alternatives, loops).
        case split([Int32])
        /// Enter rule `rule`; when it returns, continue at `next`.
        case call(rule: Int32, next: Int32)
        /// Leave the current rule (the start expression's end means the input is complete).
        case ret
    }

    let nodes: [Node]
    /// The first node of each rule.
    let ruleEntries: [Int32]
    let start: Int32
    /// A short description for logs and errors, e.g. `JSON object` or `JSON schema`.
    public let name: String

    /// Nesting deeper than this (rule calls in flight) is not followed: it bounds the recogniser's
    /// memory for recursive grammars, and JSON nested this deep is not a useful answer.
    public static let maximumNesting = 128
}
