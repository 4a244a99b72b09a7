/// The shape groups a converted layer model offers, as the vendor compiles them (axera.md §3.4):
/// group 0 decodes one token against `contextLength` cache rows; the others prefill `chunk`
/// rows after a history capacity each, from a one-row placeholder (no history) up to
/// `contextLength - chunk`.
public struct ShapeGroupLadder: Sendable, Equatable {
    public let contextLength: Int
    public let chunk: Int
    public let histories: [Int]

    /// - Parameter historyStep: distance between history capacities (the vendor's Qwen2.5 CTX
    ///   packages use 512).
    public init(contextLength: Int, chunk: Int = 128, historyStep: Int = 256) throws {
        guard contextLength > chunk, chunk > 1, historyStep > 0 else {
            throw ConversionError.invalidOptions("a context of \(contextLength) with chunks of \(chunk) (the context must exceed the chunk)")
        }
        self.contextLength = contextLength
        self.chunk = chunk
        let top = contextLength - chunk
        // History 1 is the vendor's "no history" placeholder (axera.md §3.4).
        var histories = [1]
        histories += stride(from: historyStep, through: top, by: historyStep).filter { $0 > 1 }
        if histories.last != top, top > 1 { histories.append(top) }
        self.histories = histories
    }

    /// `(rows, history)` per group, decode group first.
    public var groups: [(rows: Int, history: Int)] {
        [(1, contextLength)] + histories.map { (chunk, $0) }
    }
}
