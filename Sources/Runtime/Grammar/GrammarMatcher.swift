import EngineInterface

/// Holds one generation to a grammar: before each sample it says which tokens keep the output a
/// valid prefix, after each sample it advances past the chosen token.
///
/// A mask is computed by walking the vocabulary's trie against the recogniser, skipping every
/// subtree whose prefix is already invalid; masks are cached by recogniser state, so the steps
/// inside a long string or a repeated structure cost a lookup. One matcher per generation.
public final class GrammarMatcher {
    public let constraint: OutputConstraint
    public let vocabulary: TokenTrie
    private let automaton: GrammarAutomaton
    private var state: GrammarAutomaton.StateID
    /// Each state's mask, with the largest and smallest distance to completion its tokens lead to.
    private var masks: [GrammarAutomaton.StateID: MaskEntry] = [:]

    private struct MaskEntry {
        var mask: TokenMask
        var farthest: Int32
        var nearest: Int32
    }
    private var stateAtDepth: [Int32]
    /// The constrained output so far (for error messages and tests).
    public private(set) var output: [UInt8] = []

    /// Past this many recogniser states the automaton starts afresh (about 1 KB each).
    static let stateLimit = 32_768
    /// Masks kept (about 19 KB each for a 152k vocabulary); past this the cache starts afresh.
    static let maskLimit = 512

    /// An end-of-generation token was accepted.
    public private(set) var isFinished = false

    public init(constraint: OutputConstraint, vocabulary: TokenTrie) {
        self.constraint = constraint
        self.vocabulary = vocabulary
        automaton = GrammarAutomaton(grammar: constraint.grammar)
        state = automaton.start
        stateAtDepth = [Int32](repeating: 0, count: vocabulary.maximumDepth + 1)
    }

    /// The output so far is a complete sentence of the grammar (an end-of-generation token is
    /// allowed now).
    public var isComplete: Bool { automaton.isAccepting(state) }

    /// The output is complete and nothing may follow it: the generation must end here.
    public var mustEnd: Bool { isFinished || (isComplete && !automaton.canContinue(state)) }

    /// The tokens allowed next.
    ///
    /// With `remainingTokens` (what `num_predict` or the context still allows, this token
    /// included), a token is allowed only if the value can still be completed afterwards: once
    /// the budget runs short, only tokens that bring the value closer to complete remain, so a
    /// long-winded model still ends with parseable output rather than a truncated one. When the
    /// budget cannot be met at all, the tokens that come closest are allowed.
    public func allowedTokens(remainingTokens: Int? = nil) throws(GrammarError) -> TokenMask {
        if automaton.stateCount > Self.stateLimit {
            state = automaton.reset(keeping: state)
            masks = [:]
        }
        let entry: MaskEntry
        if let cached = masks[state] {
            entry = cached
        } else {
            entry = computeMask(from: state, within: nil)
            if masks.count >= Self.maskLimit { masks = [:] }
            masks[state] = entry
        }
        var mask = entry.mask
        if let remainingTokens, Int(entry.farthest) > remainingTokens - 1 {
            let limit = max(Int32(clamping: max(remainingTokens - 1, 0)), entry.nearest)
            mask = computeMask(from: state, within: limit).mask
        }
        if mask.isEmpty {
            throw .noAllowedToken(grammar: constraint.grammar.name, output: outputText)
        }
        return mask
    }

    /// Bytes still needed to complete the value (0 when it is complete).
    public var bytesToComplete: Int { Int(automaton.bytesToAccept(state)) }

    /// Sets the logits of disallowed tokens to -infinity.
    public func constrain(_ logits: UnsafeMutableBufferPointer<Float>, remainingTokens: Int? = nil) throws(GrammarError) {
        try allowedTokens(remainingTokens: remainingTokens).apply(to: logits)
    }

    public func constrain(_ logits: inout [Float], remainingTokens: Int? = nil) throws(GrammarError) {
        try allowedTokens(remainingTokens: remainingTokens).apply(to: &logits)
    }

    /// Advances past a sampled token.
    public func accept(_ token: TokenID) throws(GrammarError) {
        let bytes = vocabulary.tokenBytes(token)
        if vocabulary.isEndOfGeneration(token) {
            guard automaton.isAccepting(state) else { throw rejection(token, bytes) }
            isFinished = true
            return
        }
        guard vocabulary.matchesText(token) else { throw rejection(token, bytes) }
        let next = automaton.next(state, bytes)
        guard next != GrammarAutomaton.dead else { throw rejection(token, bytes) }
        state = next
        output.append(contentsOf: bytes)
    }

    public var outputText: String { String(decoding: output, as: UTF8.self) }

    private func rejection(_ token: TokenID, _ bytes: ArraySlice<UInt8>) -> GrammarError {
        .tokenRejected(token, text: String(decoding: bytes, as: UTF8.self), grammar: constraint.grammar.name, output: outputText)
    }

    /// The current mask computed afresh, bypassing the mask cache (for benchmarks).
    func uncachedMask() -> TokenMask {
        computeMask(from: state, within: nil).mask
    }

    /// One forward scan over the trie: a node's state is its parent's state advanced by the
    /// node's byte; a dead state skips the node's whole subtree. With `limit`, tokens after
    /// which the value needs more than `limit` bytes to complete are left out. Also returns the
    /// largest such need among the allowed tokens.
    private func computeMask(from start: GrammarAutomaton.StateID, within limit: Int32?) -> MaskEntry {
        var mask = TokenMask(vocabularySize: vocabulary.vocabularySize)
        var nearest = Int32.max
        if automaton.isAccepting(start) {
            for token in vocabulary.endOfGenerationTokens { mask.insert(token) }
            nearest = 0
        }
        guard automaton.canContinue(start) else { return MaskEntry(mask: mask, farthest: 0, nearest: nearest) }
        let limit = limit ?? .max
        var farthest: Int32 = 0
        let automaton = automaton
        let trie = vocabulary
        let count = trie.nodeCount
        stateAtDepth[0] = start
        trie.nodeByte.withUnsafeBufferPointer { nodeByte in
        trie.nodeDepth.withUnsafeBufferPointer { nodeDepth in
        trie.subtreeEnd.withUnsafeBufferPointer { subtreeEnd in
        trie.tokenStart.withUnsafeBufferPointer { tokenStart in
        trie.tokenIDs.withUnsafeBufferPointer { tokenIDs in
        stateAtDepth.withUnsafeMutableBufferPointer { stateAtDepth in
        mask.words.withUnsafeMutableBufferPointer { words in
            var table = automaton.table
            var index = 0
            while index < count {
                let depth = Int(nodeDepth[index])
                let parent = stateAtDepth[depth &- 1]
                let byte = nodeByte[index]
                var next = table[Int(parent) &* 256 &+ Int(byte)]
                if next == GrammarAutomaton.unknown {
                    next = automaton.computeTransition(parent, byte)
                    table = automaton.table
                }
                if next < 0 {
                    index = Int(subtreeEnd[index])
                    continue
                }
                stateAtDepth[depth] = next
                var position = Int(tokenStart[index])
                let end = Int(tokenStart[index &+ 1])
                if position < end {
                    let distance = automaton.bytesToAccept(next)
                    nearest = min(nearest, distance)
                    if distance > limit {
                        index &+= 1
                        continue
                    }
                    farthest = max(farthest, distance)
                }
                while position < end {
                    let token = Int(tokenIDs[position])
                    words[token >> 6] |= 1 << UInt64(token & 63)
                    position &+= 1
                }
                index &+= 1
            }
        }}}}}}}
        return MaskEntry(mask: mask, farthest: farthest, nearest: nearest)
    }
}
