/// Collects rules and lowers expressions into a `Grammar`'s node graph.
///
/// Lowering works backwards with an explicit continuation: an expression is turned into nodes
/// that lead to a given `next` node, so alternatives and optional list items can share their
/// continuation instead of copying it.
public final class GrammarBuilder {
    private var nodes: [Grammar.Node] = []
    private var rules: [GrammarExpression?] = []

    public init() {}

    /// A rule to be defined later, so that rules can refer to each other (or themselves).
    public func declareRule() -> GrammarRuleID {
        rules.append(nil)
        return GrammarRuleID(index: rules.count - 1)
    }

    public func define(_ rule: GrammarRuleID, as expression: GrammarExpression) {
        precondition(rules[rule.index] == nil, "rule \(rule.index) is defined twice")
        rules[rule.index] = expression
    }

    public func rule(_ expression: GrammarExpression) -> GrammarRuleID {
        let id = declareRule()
        define(id, as: expression)
        return id
    }

    /// The grammar whose language is `start`; every declared rule must have been defined.
    public func build(start: GrammarExpression, name: String) -> Grammar {
        nodes = []
        let exit = append(.ret)
        var entries: [Int32] = []
        for (index, expression) in rules.enumerated() {
            guard let expression else { preconditionFailure("rule \(index) was declared but never defined") }
            entries.append(lower(expression, next: exit))
        }
        let entry = lower(start, next: exit)
        return Grammar(nodes: nodes, ruleEntries: entries, start: entry, name: name)
    }

    private func append(_ node: Grammar.Node) -> Int32 {
        nodes.append(node)
        return Int32(nodes.count - 1)
    }

    /// Nodes that match `expression` and then continue at `next`; returns the entry node.
    private func lower(_ expression: GrammarExpression, next: Int32) -> Int32 {
        switch expression {
        case let .bytes(set):
            return append(.bytes(set, next: next))
        case let .sequence(items):
            var entry = next
            for item in items.reversed() { entry = lower(item, next: entry) }
            return entry
        case let .choice(alternatives):
            if alternatives.count == 1 { return lower(alternatives[0], next: next) }
            return append(.split(alternatives.map { lower($0, next: next) }))
        case let .repetition(body, minimum, maximum):
            precondition(minimum >= 0 && (maximum ?? minimum) >= minimum, "invalid repetition bounds")
            var entry: Int32
            if let maximum {
                entry = next
                for _ in 0 ..< (maximum - minimum) {
                    let copy = lower(body, next: entry)
                    entry = append(.split([copy, next]))
                }
            } else {
                entry = append(.split([]))
                let copy = lower(body, next: entry)
                nodes[Int(entry)] = .split([copy, next])
            }
            for _ in 0 ..< minimum { entry = lower(body, next: entry) }
            return entry
        case let .rule(rule):
            return append(.call(rule: Int32(rule.index), next: next))
        case let .separatedList(items, separator):
            // Two entry points per position: before any item was written (no separator due)
            // and after one was (the next item needs a separator first).
            var afterNone = next
            var afterAny = next
            for item in items.reversed() {
                switch item.presence {
                case .required:
                    let body = lower(item.expression, next: afterAny)
                    afterAny = lower(separator, next: body)
                    afterNone = body
                case .optional:
                    let body = lower(item.expression, next: afterAny)
                    let separated = lower(separator, next: body)
                    afterNone = append(.split([body, afterNone]))
                    afterAny = append(.split([separated, afterAny]))
                case .repeated:
                    let loop = append(.split([]))
                    let again = lower(separator, next: lower(item.expression, next: loop))
                    nodes[Int(loop)] = .split([again, afterAny])
                    let first = lower(item.expression, next: loop)
                    afterNone = append(.split([first, afterNone]))
                    afterAny = loop
                }
            }
            return afterNone
        }
    }
}
