import EngineInterface

/// The set of token ids allowed at one step, one bit per id.
public struct TokenMask: Sendable, Equatable {
    public let vocabularySize: Int
    var words: [UInt64]

    init(vocabularySize: Int) {
        self.vocabularySize = vocabularySize
        words = [UInt64](repeating: 0, count: (vocabularySize + 63) / 64)
    }

    public func contains(_ token: TokenID) -> Bool {
        guard token >= 0, Int(token) < vocabularySize else { return false }
        return words[Int(token) >> 6] >> UInt64(Int(token) & 63) & 1 == 1
    }

    mutating func insert(_ token: TokenID) {
        words[Int(token) >> 6] |= 1 << UInt64(Int(token) & 63)
    }

    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    /// The allowed ids in increasing order.
    public var tokens: [TokenID] {
        var result: [TokenID] = []
        for (index, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                result.append(TokenID(index * 64 + bits.trailingZeroBitCount))
                bits &= bits - 1
            }
        }
        return result
    }

    /// Sets the logit of every token outside the mask to -infinity, so that no sampling setting
    /// can choose it. Logits beyond the mask's vocabulary are never allowed.
    public func apply(to logits: UnsafeMutableBufferPointer<Float>) {
        let count = logits.count
        words.withUnsafeBufferPointer { words in
            for (index, word) in words.enumerated() where word != ~0 {
                let base = index * 64
                guard base < count else { break }
                var blocked = ~word
                while blocked != 0 {
                    let id = base + blocked.trailingZeroBitCount
                    if id >= count { break }
                    logits[id] = -.infinity
                    blocked &= blocked - 1
                }
            }
        }
        if count > vocabularySize {
            for id in vocabularySize ..< count { logits[id] = -.infinity }
        }
    }

    public func apply(to logits: inout [Float]) {
        logits.withUnsafeMutableBufferPointer { apply(to: $0) }
    }
}
