/// Collects rules and lowers expressions into a `Grammar`'s node graph.
///
/// Lowering works backwards with an explicit continuation: an expression is turned into nodes
/// that lead to a given `next` node, so alternatives and optional list items can share their
/// continuation instead of copying it.
public final class GrammarBuilder {
    private var nodes: [Grammar.Node] = []
    private var rules: [RuleBody?] = []

    private enum RuleBody {
        case expression(GrammarExpression)
        /// A grammar compiled elsewhere, called as a rule (a schema's grammar inside a tool call).
        case grammar(Grammar)
    }

    public init() {}

    /// A rule to be defined later, so that rules can refer to each other (or themselves).
    public func declareRule() -> GrammarRuleID {
        rules.append(nil)
        return GrammarRuleID(index: rules.count - 1)
    }

    public func define(_ rule: GrammarRuleID, as expression: GrammarExpression) {
        precondition(rules[rule.index] == nil, "rule \(rule.index) is defined twice")
        rules[rule.index] = .expression(expression)
    }

    /// A rule whose language is `grammar`'s: its nodes and rules are copied into this grammar.
    public func rule(embedding grammar: Grammar) -> GrammarRuleID {
        rules.append(.grammar(grammar))
        return GrammarRuleID(index: rules.count - 1)
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
        // An embedded grammar's own rules are numbered after every rule of this builder.
        var embeddedEntries: [Int32] = []
        for (index, body) in rules.enumerated() {
            switch body {
            case nil: preconditionFailure("rule \(index) was declared but never defined")
            case let .expression(expression)?: entries.append(lower(expression, next: exit))
            case let .grammar(grammar)?:
                entries.append(copy(grammar, firstRule: Int32(rules.count + embeddedEntries.count), entries: &embeddedEntries))
            }
        }
        let entry = lower(start, next: exit)
        return Grammar(nodes: nodes, ruleEntries: entries + embeddedEntries, start: entry, name: name)
    }

    /// Appends `grammar`'s nodes, renumbered, and its rule entries; returns its start node, which
    /// ends at the grammar's own `ret` and so returns to whoever called it.
    private func copy(_ grammar: Grammar, firstRule: Int32, entries: inout [Int32]) -> Int32 {
        let base = Int32(nodes.count)
        for node in grammar.nodes {
            switch node {
            case let .bytes(set, next): nodes.append(.bytes(set, next: next + base))
            case let .split(targets): nodes.append(.split(targets.map { $0 + base }))
            case let .call(rule, next): nodes.append(.call(rule: rule + firstRule, next: next + base))
            case .ret: nodes.append(.ret)
            }
        }
        entries += grammar.ruleEntries.map { $0 + base }
        return grammar.start + base
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
        case let .textThrough(marker):
            return lowerText(watchingFor: marker, throughMarker: true, next: next)
        case let .textWithout(marker):
            return lowerText(watchingFor: marker, throughMarker: false, next: next)
        }
    }

    /// One node per count of marker bytes matched so far, each splitting on the byte read into
    /// the count it leads to (a Knuth–Morris–Pratt automaton). Through the marker: completing it
    /// continues at `next`. Without it: completing it is not allowed, and every state may end.
    private func lowerText(watchingFor marker: [UInt8], throughMarker: Bool, next: Int32) -> Int32 {
        precondition(!marker.isEmpty, "free text needs a marker to watch for")
        let states = marker.indices.map { _ in append(.split([])) }
        for (matched, row) in Self.markerAutomaton(marker).enumerated() {
            var bytesByTarget: [Int: ByteSet] = [:]
            for byte in 0 ... 255 { bytesByTarget[row[byte], default: ByteSet()].insert(UInt8(byte)) }
            var branches: [Int32] = []
            for (target, bytes) in bytesByTarget.sorted(by: { $0.key < $1.key }) {
                if target < marker.count {
                    branches.append(append(.bytes(bytes, next: states[target])))
                } else if throughMarker {
                    branches.append(append(.bytes(bytes, next: next)))
                }
            }
            if !throughMarker { branches.append(next) }
            nodes[Int(states[matched])] = .split(branches)
        }
        return states[0]
    }

    /// `table[matched][byte]`: how many marker bytes are matched after reading `byte` with
    /// `matched` already matched (`marker.count` when the marker is complete).
    static func markerAutomaton(_ marker: [UInt8]) -> [[Int]] {
        var table = [[Int]](repeating: [Int](repeating: 0, count: 256), count: marker.count)
        table[0][Int(marker[0])] = 1
        // The state the automaton would be in had it started one byte later.
        var restart = 0
        for matched in 1 ..< marker.count {
            table[matched] = table[restart]
            table[matched][Int(marker[matched])] = matched + 1
            restart = table[restart][Int(marker[matched])]
        }
        return table
    }
}
