/// The recogniser states of one grammar, discovered as they are reached and numbered, with a
/// dense transition table (state × byte) filled in lazily. It is a determinised view of the
/// grammar's pushdown recogniser: a state is the set of positions the recogniser may be at,
/// each with its call stack, after the bytes read so far.
///
/// Mask computation asks for millions of transitions; after the first visit each one is a
/// single table read. Not thread-safe: one generation owns one automaton.
final class GrammarAutomaton {
    typealias StateID = Int32
    /// A transition that has not been computed yet.
    static let unknown: Int32 = -2
    /// No continuation: the byte cannot follow.
    static let dead: Int32 = -1

    let grammar: Grammar

    // Call stacks, interned: stack 0 is empty; every other one is a return node on a parent.
    private var stackParent: [Int32] = [-1]
    private var stackReturn: [Int32] = [-1]
    private var stackDepth: [Int32] = [0]
    /// Bytes needed to return through every frame of the stack.
    private var stackCost: [Int32] = [0]
    private var stackIndex: [UInt64: Int32] = [:]

    private struct StateKey: Hashable {
        /// Sorted (node << 32 | stack) pairs, all at byte-consuming nodes.
        var threads: [UInt64]
        var accepting: Bool
    }

    private var states: [StateKey] = []
    /// `bytesToAccept` per state, -1 until asked.
    private var distances: [Int32] = []
    private var stateIndex: [StateKey: StateID] = [:]
    /// `table[state * 256 + byte]`: the next state, `dead`, or `unknown`.
    private(set) var table: UnsafeMutablePointer<Int32>
    private var tableCapacity: Int
    private(set) var start: StateID = 0

    init(grammar: Grammar) {
        self.grammar = grammar
        tableCapacity = 64
        table = .allocate(capacity: tableCapacity * 256)
        start = reset()
    }

    deinit { table.deallocate() }

    var stateCount: Int { states.count }

    /// True when the bytes read so far form a complete sentence of the grammar.
    func isAccepting(_ state: StateID) -> Bool { states[Int(state)].accepting }

    /// True when some byte can still follow.
    func canContinue(_ state: StateID) -> Bool { !states[Int(state)].threads.isEmpty }

    /// Forgets every state but the start one (and `keeping`, whose new id is returned), to bound
    /// memory in long generations.
    @discardableResult
    func reset(keeping state: StateID? = nil) -> StateID {
        let kept = state.map { states[Int($0)] }
        states = []
        distances = []
        stateIndex = [:]
        var accepting = false
        let threads = closure(of: [(grammar.start, 0)], accepting: &accepting)
        start = intern(StateKey(threads: threads, accepting: accepting))
        guard let kept else { return start }
        return intern(kept)
    }

    /// The fewest bytes that complete the input from `state` (0 when it is complete already).
    func bytesToAccept(_ state: StateID) -> Int32 {
        let cached = distances[Int(state)]
        if cached >= 0 { return cached }
        let key = states[Int(state)]
        var best: Int32 = key.accepting ? 0 : .max
        for thread in key.threads {
            let node = grammar.bytesToRuleEnd[Int(thread >> 32)]
            let stack = stackCost[Int(thread & 0xFFFF_FFFF)]
            if node != .max && stack != .max { best = min(best, node &+ stack) }
        }
        distances[Int(state)] = best
        return best
    }

    @inline(__always)
    func next(_ state: StateID, _ byte: UInt8) -> StateID {
        let cached = table[Int(state) &* 256 &+ Int(byte)]
        return cached != Self.unknown ? cached : computeTransition(state, byte)
    }

    /// The state after `bytes`, or `dead`.
    func next(_ state: StateID, _ bytes: some Sequence<UInt8>) -> StateID {
        var current = state
        for byte in bytes {
            current = next(current, byte)
            if current == Self.dead { return Self.dead }
        }
        return current
    }

    func computeTransition(_ state: StateID, _ byte: UInt8) -> StateID {
        var seeds: [(Int32, Int32)] = []
        for thread in states[Int(state)].threads {
            let node = Int32(truncatingIfNeeded: thread >> 32)
            let stack = Int32(truncatingIfNeeded: thread & 0xFFFF_FFFF)
            guard case let .bytes(set, next) = grammar.nodes[Int(node)], set.contains(byte) else { continue }
            seeds.append((next, stack))
        }
        var result = Self.dead
        if !seeds.isEmpty {
            var accepting = false
            let threads = closure(of: seeds, accepting: &accepting)
            if !threads.isEmpty || accepting {
                result = intern(StateKey(threads: threads, accepting: accepting))
            }
        }
        table[Int(state) * 256 + Int(byte)] = result
        return result
    }

    /// Follows splits, calls and returns from `seeds` to the byte-consuming nodes they reach.
    private func closure(of seeds: [(node: Int32, stack: Int32)], accepting: inout Bool) -> [UInt64] {
        var threads: [UInt64] = []
        var visited = Set<UInt64>()
        var work = seeds
        while let (node, stack) = work.popLast() {
            let key = UInt64(UInt32(bitPattern: node)) << 32 | UInt64(UInt32(bitPattern: stack))
            guard visited.insert(key).inserted else { continue }
            switch grammar.nodes[Int(node)] {
            case .bytes:
                threads.append(key)
            case let .split(targets):
                for target in targets.reversed() { work.append((target, stack)) }
            case let .call(rule, next):
                guard stackDepth[Int(stack)] < Grammar.maximumNesting else { continue }
                work.append((grammar.ruleEntries[Int(rule)], push(next, on: stack)))
            case .ret:
                if stack == 0 {
                    accepting = true
                } else {
                    work.append((stackReturn[Int(stack)], stackParent[Int(stack)]))
                }
            }
        }
        threads.sort()
        return threads
    }

    private func push(_ returnNode: Int32, on stack: Int32) -> Int32 {
        let key = UInt64(UInt32(bitPattern: stack)) << 32 | UInt64(UInt32(bitPattern: returnNode))
        if let existing = stackIndex[key] { return existing }
        stackParent.append(stack)
        stackReturn.append(returnNode)
        stackDepth.append(stackDepth[Int(stack)] + 1)
        let frame = grammar.bytesToRuleEnd[Int(returnNode)]
        let below = stackCost[Int(stack)]
        stackCost.append(frame == .max || below == .max ? .max : min(frame &+ below, .max - 1))
        let id = Int32(stackParent.count - 1)
        stackIndex[key] = id
        return id
    }

    private func intern(_ key: StateKey) -> StateID {
        if let existing = stateIndex[key] { return existing }
        let id = StateID(states.count)
        states.append(key)
        distances.append(-1)
        stateIndex[key] = id
        if states.count > tableCapacity {
            let grown = UnsafeMutablePointer<Int32>.allocate(capacity: tableCapacity * 2 * 256)
            grown.update(from: table, count: tableCapacity * 256)
            table.deallocate()
            table = grown
            tableCapacity *= 2
        }
        (table + Int(id) * 256).update(repeating: Self.unknown, count: 256)
        return id
    }
}
