import EngineInterface

/// The last `capacity` tokens of a sequence, oldest first: the history the repetition penalties
/// read. Appending never allocates once created, so a generation can feed it every token.
public struct RecentTokens: RandomAccessCollection, Sendable, Equatable {
    public let capacity: Int
    private var storage: [TokenID]
    /// Index in `storage` of the oldest token.
    private var head = 0
    public private(set) var count = 0

    public init(capacity: Int) {
        precondition(capacity >= 0, "a token history cannot hold \(capacity) tokens")
        self.capacity = capacity
        storage = Array(repeating: 0, count: capacity)
    }

    /// A history sized for `options`' penalty window (`repeat_last_n`; -1 = `contextLength`).
    public init(for options: SamplingOptions, contextLength: Int) {
        let window = RepetitionPenalty(options: options, contextLength: contextLength).window
        self.init(capacity: Swift.max(0, window ?? contextLength))
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> TokenID {
        precondition(position >= 0 && position < count, "token history index \(position) out of 0..<\(count)")
        let slot = head + position
        return storage[slot < capacity ? slot : slot - capacity]
    }

    /// Adds the newest token, forgetting the oldest when full.
    public mutating func append(_ token: TokenID) {
        guard capacity > 0 else { return }
        if count < capacity {
            let slot = head + count
            storage[slot < capacity ? slot : slot - capacity] = token
            count += 1
        } else {
            storage[head] = token
            head = head + 1 == capacity ? 0 : head + 1
        }
    }

    public mutating func append(contentsOf tokens: some Sequence<TokenID>) {
        for token in tokens { append(token) }
    }

    public mutating func removeAll() {
        head = 0
        count = 0
    }

    public static func == (lhs: RecentTokens, rhs: RecentTokens) -> Bool {
        lhs.capacity == rhs.capacity && lhs.elementsEqual(rhs)
    }
}
