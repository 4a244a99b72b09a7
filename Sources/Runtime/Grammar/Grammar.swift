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
    /// The fewest bytes that lead from each node to the end of its rule (`Int32.max` when the
    /// rule cannot end from there): how far the output is from complete, for finishing within a
    /// token budget.
    let bytesToRuleEnd: [Int32]

    init(nodes: [Node], ruleEntries: [Int32], start: Int32, name: String) {
        self.nodes = nodes
        self.ruleEntries = ruleEntries
        self.start = start
        self.name = name
        bytesToRuleEnd = Self.shortestCompletions(nodes: nodes, ruleEntries: ruleEntries)
    }

    /// Relaxes d(bytes) = 1 + d(next), d(split) = min d(target), d(call) = d(rule entry) + d(next),
    /// d(ret) = 0 until nothing changes (a few passes: the graph is mostly acyclic).
    private static func shortestCompletions(nodes: [Node], ruleEntries: [Int32]) -> [Int32] {
        let infinity = Int32.max
        var distance = [Int32](repeating: infinity, count: nodes.count)
        func sum(_ a: Int32, _ b: Int32) -> Int32 { a == infinity || b == infinity ? infinity : min(a &+ b, infinity - 1) }
        var changed = true
        while changed {
            changed = false
            for index in nodes.indices.reversed() {
                let value: Int32
                switch nodes[index] {
                case let .bytes(_, next): value = sum(1, distance[Int(next)])
                case let .split(targets): value = targets.map { distance[Int($0)] }.min() ?? infinity
                case let .call(rule, next): value = sum(distance[Int(ruleEntries[Int(rule)])], distance[Int(next)])
                case .ret: value = 0
                }
                if value < distance[index] {
                    distance[index] = value
                    changed = true
                }
            }
        }
        return distance
    }

    /// Nesting deeper than this (rule calls in flight) is not followed: it bounds the recogniser's
    /// memory for recursive grammars, and JSON nested this deep is not a useful answer.
    public static let maximumNesting = 128
}
