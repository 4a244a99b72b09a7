/// Grammar expressions for integers within bounds (`minimum`/`maximum` on `type: integer`), built
/// digit by digit so that every accepted prefix can still be completed inside the range.
enum IntegerRange {
    /// Largest magnitude written: 16 digits, the integral-part bound of `JSONGrammar`.
    static let largest: Int64 = 9_999_999_999_999_999

    /// Integers `n` with `lower <= n <= upper` (either side open when nil).
    static func expression(lower: Int64?, upper: Int64?) -> GrammarExpression {
        let lower = max(lower ?? -largest, -largest)
        let upper = min(upper ?? largest, largest)
        precondition(lower <= upper)
        var alternatives: [GrammarExpression] = []
        if lower < 0 {
            // Negative part: "-" and a magnitude in [max(1, -upper), -lower].
            let magnitudes = nonNegative(max(1, -min(upper, -1)), -lower)
            alternatives.append(.sequence([.byte(UInt8(ascii: "-")), magnitudes]))
        }
        if upper >= 0 {
            alternatives.append(nonNegative(max(lower, 0), upper))
        }
        return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
    }

    /// Decimal numerals without leading zeros for `lower ... upper` (both >= 0).
    static func nonNegative(_ lower: Int64, _ upper: Int64) -> GrammarExpression {
        let lowerDigits = Array(String(lower).utf8)
        let upperDigits = Array(String(upper).utf8)
        var alternatives: [GrammarExpression] = []
        for length in lowerDigits.count ... upperDigits.count {
            let from = length == lowerDigits.count ? lowerDigits : [UInt8(ascii: "1")] + Array(repeating: UInt8(ascii: "0"), count: length - 1)
            let to = length == upperDigits.count ? upperDigits : Array(repeating: UInt8(ascii: "9"), count: length)
            alternatives.append(sameLength(from[...], to[...]))
        }
        return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
    }

    /// Numerals of exactly `from.count` digits between `from` and `to` (same length, from <= to).
    private static func sameLength(_ from: ArraySlice<UInt8>, _ to: ArraySlice<UInt8>) -> GrammarExpression {
        guard let first = from.first, let last = to.first else { return .empty }
        if from.count == 1 { return .bytes(ByteSet(first ... last)) }
        let restCount = from.count - 1
        if first == last {
            return .sequence([.byte(first), sameLength(from.dropFirst(), to.dropFirst())])
        }
        let nines = Array(repeating: UInt8(ascii: "9"), count: restCount)[...]
        let zeros = Array(repeating: UInt8(ascii: "0"), count: restCount)[...]
        var alternatives: [GrammarExpression] = [.sequence([.byte(first), sameLength(from.dropFirst(), nines)])]
        if first + 1 <= last - 1 {
            alternatives.append(.sequence([
                .bytes(ByteSet(first + 1 ... last - 1)),
                .repetition(.bytes(JSONGrammar.digit), minimum: restCount, maximum: restCount),
            ]))
        }
        alternatives.append(.sequence([.byte(last), sameLength(zeros, to.dropFirst())]))
        return .choice(alternatives)
    }
}
