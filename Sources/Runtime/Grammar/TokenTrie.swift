import EngineInterface
import Synchronization
import Tokenizer

/// A vocabulary's token byte strings as a prefix tree, flattened in depth-first order so that a
/// mask computation is one forward scan that can skip a whole subtree (every token starting
/// with an invalid prefix) in one step.
///
/// Control tokens (chat markers, BOS/EOS) and tokens without bytes are left out: a grammar never
/// matches them. End-of-generation tokens are kept aside; they are allowed exactly when the
/// constrained value is complete.
public final class TokenTrie: Sendable {
    /// Length of the logit vectors this vocabulary belongs to.
    public let vocabularySize: Int
    public let endOfGenerationTokens: [TokenID]

    // One entry per trie node, in depth-first (pre-)order; the root itself is not stored.
    let nodeByte: [UInt8]
    /// 1 for the root's children.
    let nodeDepth: [UInt16]
    /// The index just past the node's subtree.
    let subtreeEnd: [Int32]
    /// Tokens ending at node `i` are `tokenIDs[tokenStart[i] ..< tokenStart[i + 1]]`.
    let tokenStart: [Int32]
    let tokenIDs: [TokenID]
    let maximumDepth: Int

    /// The bytes of every token id as the model would print them, control tokens included (an
    /// activation marker such as `</think>` may be one).
    private let byteStart: [Int32]
    private let bytes: [UInt8]
    /// Ids in the trie; the others never match grammar text.
    private let matchable: TokenMask

    /// - Parameters:
    ///   - tokens: each token's bytes by id.
    ///   - endOfGeneration: ids that end a generation (never matched as text).
    ///   - unmatched: ids that never match grammar text (control tokens).
    public init(tokens: [[UInt8]], endOfGeneration: [TokenID], unmatched: Set<TokenID> = []) {
        vocabularySize = tokens.count
        endOfGenerationTokens = endOfGeneration.filter { $0 >= 0 && Int($0) < tokens.count }.sorted()
        let excluded = unmatched.union(endOfGenerationTokens)

        var byteStart: [Int32] = [0]
        var flat: [UInt8] = []
        var matchable = TokenMask(vocabularySize: tokens.count)
        for (id, token) in tokens.enumerated() {
            flat.append(contentsOf: token)
            byteStart.append(Int32(flat.count))
            if !token.isEmpty && !excluded.contains(TokenID(id)) { matchable.insert(TokenID(id)) }
        }
        self.byteStart = byteStart
        bytes = flat
        self.matchable = matchable

        let order = (0 ..< tokens.count)
            .filter { matchable.contains(TokenID($0)) }
            .sorted { tokens[$0].lexicographicallyPrecedes(tokens[$1]) }

        var nodeByte: [UInt8] = [], nodeDepth: [UInt16] = [], subtreeEnd: [Int32] = [], tokenStart: [Int32] = []
        var tokenIDs: [TokenID] = []
        var path: [Int] = [] // node indices from depth 1 down to the current node
        var previous: [UInt8] = []
        for id in order {
            let token = tokens[id]
            var shared = 0
            while shared < min(previous.count, token.count, path.count) && previous[shared] == token[shared] { shared += 1 }
            while path.count > shared {
                subtreeEnd[path.removeLast()] = Int32(nodeByte.count)
            }
            for depth in shared ..< token.count {
                path.append(nodeByte.count)
                nodeByte.append(token[depth])
                nodeDepth.append(UInt16(depth + 1))
                subtreeEnd.append(0)
                tokenStart.append(Int32(tokenIDs.count))
            }
            // Sorted order puts a token right after its prefixes and its duplicates, so it ends
            // at the newest node.
            tokenIDs.append(TokenID(id))
            previous = token
        }
        while let node = path.popLast() { subtreeEnd[node] = Int32(nodeByte.count) }
        tokenStart.append(Int32(tokenIDs.count))

        self.nodeByte = nodeByte
        self.nodeDepth = nodeDepth
        self.subtreeEnd = subtreeEnd
        self.tokenStart = tokenStart
        self.tokenIDs = tokenIDs
        maximumDepth = Int(nodeDepth.max() ?? 0)
    }

    /// The trie of a tokenizer's vocabulary (control tokens left out), for logits of
    /// `vocabularySize` entries (at least the tokenizer's; extra ids are never allowed).
    public convenience init(tokenizer: BPETokenizer, vocabularySize: Int? = nil) {
        let size = max(vocabularySize ?? tokenizer.vocabularySize, tokenizer.vocabularySize)
        let tokens: [[UInt8]] = (0 ..< size).map { tokenizer.tokenBytes(TokenID($0)) }
        let control = Set((0 ..< size).map { TokenID($0) }.filter { tokenizer.isControl($0) })
        self.init(tokens: tokens, endOfGeneration: tokenizer.endOfGenerationTokenIDs.sorted(), unmatched: control)
    }

    public var nodeCount: Int { nodeByte.count }

    /// The bytes a token stands for (empty for ids outside the vocabulary).
    func tokenBytes(_ id: TokenID) -> ArraySlice<UInt8> {
        guard id >= 0, Int(id) < vocabularySize else { return [] }
        return bytes[Int(byteStart[Int(id)]) ..< Int(byteStart[Int(id) + 1])]
    }

    /// False for control and end-of-generation tokens: they never stand for grammar text.
    func matchesText(_ id: TokenID) -> Bool { matchable.contains(id) }

    func isEndOfGeneration(_ id: TokenID) -> Bool { endOfGenerationTokens.contains(id) }

    // MARK: Sharing

    private static let recent = Mutex<[(tokenizer: BPETokenizer, size: Int, trie: TokenTrie)]>([])

    /// The trie for a loaded model's tokenizer, built once and shared by its generations (the
    /// last few tokenizers are remembered; building one takes a few tens of milliseconds).
    public static func shared(for tokenizer: BPETokenizer, vocabularySize: Int) -> TokenTrie {
        if let hit = recent.withLock({ $0.first { $0.tokenizer === tokenizer && $0.size == vocabularySize }?.trie }) {
            return hit
        }
        let trie = TokenTrie(tokenizer: tokenizer, vocabularySize: vocabularySize)
        recent.withLock { entries in
            entries.removeAll { $0.tokenizer === tokenizer && $0.size == vocabularySize }
            entries.insert((tokenizer, vocabularySize, trie), at: 0)
            if entries.count > 4 { entries.removeLast() }
        }
        return trie
    }
}
