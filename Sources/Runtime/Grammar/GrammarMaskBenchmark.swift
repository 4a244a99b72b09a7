import EngineInterface

/// Times token-mask computation, for `axllama bench` and the grammar tests: a constrained
/// generation must add little to a decode step (~5 ms for the default model here).
public enum GrammarMaskBenchmark {
    public struct Result: Sendable, CustomStringConvertible {
        public var vocabularySize: Int
        public var trieNodes: Int
        /// Building the trie from the vocabulary (once per loaded model).
        public var trieBuild: Duration
        /// A mask from a state never seen before, inside a string, where nearly every token is
        /// allowed and the whole trie is walked: the worst single step.
        public var coldStringMask: Duration
        /// The same walk once the automaton's transitions are known (mask cache bypassed; best
        /// of five).
        public var warmStringMask: Duration
        /// Per generated token over a whole constrained output, masks applied to the logits,
        /// cache included: what a generation actually pays.
        public var steps: Int
        public var meanPerToken: Duration
        public var medianPerToken: Duration
        public var worstPerToken: Duration

        public var description: String {
            "vocabulary \(vocabularySize) (\(trieNodes) trie nodes, built in \(ms(trieBuild)) ms): "
                + "string mask cold \(ms(coldStringMask)) ms, warm \(ms(warmStringMask)) ms; "
                + "per token over \(steps) tokens: mean \(ms(meanPerToken)) ms, median \(ms(medianPerToken)) ms, worst \(ms(worstPerToken)) ms"
        }

        private func ms(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            let value = Double(seconds) * 1e3 + Double(attoseconds) / 1e15
            return String(Double(Int((value * 1000).rounded())) / 1000)
        }
    }

    /// Measures masks while producing `output` (which must be in `grammar`'s language) with the
    /// longest tokens that spell it, as a model writing it would.
    public static func run(vocabulary tokens: [[UInt8]], endOfGeneration: [TokenID], grammar: Grammar,
                           output: String, stringPrefix: String) throws -> Result {
        let clock = ContinuousClock()
        let buildStart = clock.now
        let trie = TokenTrie(tokens: tokens, endOfGeneration: endOfGeneration)
        let trieBuild = clock.now - buildStart

        let cold = GrammarMatcher(constraint: OutputConstraint(grammar: grammar), vocabulary: trie)
        for token in longestTokens(spelling: Array(stringPrefix.utf8), in: trie) { try cold.accept(token) }
        var start = clock.now
        let stringMask = try cold.allowedTokens()
        let coldStringMask = clock.now - start
        var warmStringMask = Duration.seconds(1_000)
        for _ in 0 ..< 5 {
            start = clock.now
            let again = cold.uncachedMask()
            warmStringMask = min(warmStringMask, clock.now - start)
            precondition(again == stringMask)
        }

        let matcher = GrammarMatcher(constraint: OutputConstraint(grammar: grammar), vocabulary: trie)
        var logits = [Float](repeating: 0, count: tokens.count)
        var times: [Duration] = []
        for token in longestTokens(spelling: Array(output.utf8), in: trie) {
            logits.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            start = clock.now
            try matcher.constrain(&logits)
            times.append(clock.now - start)
            precondition(logits[Int(token)].isFinite, "the output's own token was masked")
            try matcher.accept(token)
        }
        precondition(matcher.isComplete, "the benchmark output is not a complete sentence of the grammar")
        let total = times.reduce(Duration.zero, +)
        let sorted = times.sorted()
        return Result(vocabularySize: tokens.count, trieNodes: trie.nodeCount, trieBuild: trieBuild,
                      coldStringMask: coldStringMask, warmStringMask: warmStringMask, steps: times.count,
                      meanPerToken: total / times.count, medianPerToken: sorted[sorted.count / 2], worstPerToken: sorted.last!)
    }

    /// Greedy longest-match tokenisation through the trie.
    static func longestTokens(spelling bytes: [UInt8], in trie: TokenTrie) -> [TokenID] {
        var result: [TokenID] = []
        var position = 0
        while position < bytes.count {
            var node = 0
            var best: (token: TokenID, length: Int)?
            var depth = 0
            while node < trie.nodeCount, position + depth < bytes.count {
                // Find the child of the current path with the next byte.
                guard trie.nodeDepth[node] == UInt16(depth + 1) else { break }
                if trie.nodeByte[node] == bytes[position + depth] {
                    if trie.tokenStart[node] < trie.tokenStart[node + 1] {
                        best = (trie.tokenIDs[Int(trie.tokenStart[node])], depth + 1)
                    }
                    depth += 1
                    node += 1
                } else {
                    node = Int(trie.subtreeEnd[node])
                }
            }
            guard let best else { preconditionFailure("no token spells byte \(bytes[position])") }
            result.append(best.token)
            position += best.length
        }
        return result
    }

    /// A byte-level BPE-like vocabulary of `size` tokens: every byte, then words and word
    /// pieces with and without a leading space, numbers, punctuation runs and CJK characters,
    /// reproducible from `seed`.
    public static func syntheticVocabulary(size: Int, seed: UInt64 = 7) -> [[UInt8]] {
        var generator = SeededGenerator(seed: seed)
        var tokens: [[UInt8]] = (0 ... 255).map { [UInt8($0)] }
        var seen = Set(tokens)
        let letters = Array("etaoinshrdlcumwfgypbvkjxqz".utf8)
        let punctuation = Array("\",:{}[]().-_'!?;/\\".utf8)
        while tokens.count < size {
            var token: [UInt8] = []
            let kind = Int.random(in: 0 ..< 100, using: &generator)
            switch kind {
            case 0 ..< 60:
                if Bool.random(using: &generator) { token.append(UInt8(ascii: " ")) }
                let length = Int.random(in: 1 ... 10, using: &generator)
                for index in 0 ..< length {
                    // Skewed towards common letters, like real text.
                    let pick = min(Int.random(in: 0 ..< letters.count, using: &generator), Int.random(in: 0 ..< letters.count, using: &generator))
                    var letter = letters[pick]
                    if index == 0 && Int.random(in: 0 ..< 4, using: &generator) == 0 { letter -= 32 }
                    token.append(letter)
                }
            case 60 ..< 70:
                if Bool.random(using: &generator) { token.append(UInt8(ascii: " ")) }
                token += Array(String(Int.random(in: 0 ..< 100_000, using: &generator)).utf8)
            case 70 ..< 80:
                for _ in 0 ..< Int.random(in: 2 ... 4, using: &generator) { token.append(punctuation.randomElement(using: &generator)!) }
            case 80 ..< 95:
                for _ in 0 ..< Int.random(in: 1 ... 3, using: &generator) {
                    let scalar = Unicode.Scalar(UInt32.random(in: 0x4E00 ... 0x9FFF, using: &generator))!
                    token += Array(String(scalar).utf8)
                }
            default:
                token = Array(repeating: UInt8(ascii: " "), count: Int.random(in: 2 ... 16, using: &generator))
                if Bool.random(using: &generator) { token[0] = UInt8(ascii: "\n") }
            }
            if seen.insert(token).inserted { tokens.append(token) }
        }
        return tokens
    }
}
