/// A grammar rule's right-hand side, over bytes. Expressions are what the JSON and schema
/// compilers produce; `GrammarBuilder` lowers them into the node graph a `Grammar` runs.
public indirect enum GrammarExpression: Sendable {
    /// One byte from the set.
    case bytes(ByteSet)
    case sequence([GrammarExpression])
    /// Any one of the alternatives (several may match at once: the recogniser follows them all).
    case choice([GrammarExpression])
    /// `minimum` or more repetitions, at most `maximum` when given. Bounded repetitions are
    /// unrolled, so keep bounded bodies small (wrap large ones in a rule).
    case repetition(GrammarExpression, minimum: Int, maximum: Int?)
    /// A reference to a rule of the same builder; this is how recursion is written.
    case rule(GrammarRuleID)
    /// Items in this order, joined by `separator`, where each item may be required, optional or
    /// repeated; the separator goes only between items that are present. This is an object's
    /// property list (properties in declared order, optional ones skippable).
    case separatedList([ListItem], separator: GrammarExpression)
    /// Free text up to and including the first occurrence of `marker` (a model's thinking up to
    /// `</think>`): any bytes, matched as a deterministic automaton so that the recogniser stays
    /// in one of `marker.count` states however long the text runs.
    case textThrough(marker: [UInt8])
    /// Free text that does not contain `marker` and may end anywhere (the text around tool calls).
    case textWithout(marker: [UInt8])

    public struct ListItem: Sendable {
        public enum Presence: Sendable { case required, optional, repeated }
        public var expression: GrammarExpression
        public var presence: Presence

        public init(_ expression: GrammarExpression, _ presence: Presence) {
            self.expression = expression
            self.presence = presence
        }
    }

    public static let empty = GrammarExpression.sequence([])

    /// The exact bytes of `text`.
    public static func literal(_ text: String) -> GrammarExpression { literal(Array(text.utf8)) }

    public static func literal(_ bytes: [UInt8]) -> GrammarExpression {
        bytes.count == 1 ? .bytes(.byte(bytes[0])) : .sequence(bytes.map { .bytes(.byte($0)) })
    }

    public static func byte(_ byte: UInt8) -> GrammarExpression { .bytes(.byte(byte)) }

    public static func optional(_ expression: GrammarExpression) -> GrammarExpression {
        .repetition(expression, minimum: 0, maximum: 1)
    }

    public static func zeroOrMore(_ expression: GrammarExpression) -> GrammarExpression {
        .repetition(expression, minimum: 0, maximum: nil)
    }

    /// Any of the byte strings, merged by common prefixes so that the choice is deterministic
    /// (an enum of 200 values costs one recogniser path, not 200).
    public static func oneOf(literals: [[UInt8]]) -> GrammarExpression {
        var root = LiteralTrie()
        for literal in literals { root.insert(literal[...]) }
        return root.expression
    }
}

/// Names a rule inside one `GrammarBuilder`.
public struct GrammarRuleID: Hashable, Sendable {
    let index: Int
}

/// Byte strings sharing prefixes, turned into a deterministic expression.
private struct LiteralTrie {
    var children: [UInt8: LiteralTrie] = [:]
    var isEnd = false

    mutating func insert(_ bytes: ArraySlice<UInt8>) {
        guard let first = bytes.first else {
            isEnd = true
            return
        }
        children[first, default: LiteralTrie()].insert(bytes.dropFirst())
    }

    var expression: GrammarExpression {
        var alternatives: [GrammarExpression] = children.keys.sorted().map { byte in
            .sequence([.byte(byte), children[byte]!.expression])
        }
        if isEnd { alternatives.append(.empty) }
        return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
    }
}
