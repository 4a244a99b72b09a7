/// String `format`s enforced as grammars, with the shapes llama.cpp's json-schema-to-grammar
/// gives them (common/json-schema-to-grammar.cpp `STRING_FORMAT_RULES`, `uuid`). Other formats
/// are annotations and leave the string free.
enum StringFormats {
    static func expression(for format: String) -> GrammarExpression? {
        switch format {
        case "date": return date
        case "time": return time
        case "date-time": return .sequence([date, .byte(UInt8(ascii: "T")), time])
        case "uuid":
            let hex = GrammarExpression.bytes(JSONGrammar.hexDigit)
            func hexes(_ count: Int) -> GrammarExpression { .repetition(hex, minimum: count, maximum: count) }
            let dash = GrammarExpression.byte(UInt8(ascii: "-"))
            return .sequence([hexes(8), dash, hexes(4), dash, hexes(4), dash, hexes(4), dash, hexes(12)])
        default: return nil
        }
    }

    private static func digits(_ range: ClosedRange<Character>) -> GrammarExpression {
        .bytes(ByteSet(range.lowerBound.asciiValue! ... range.upperBound.asciiValue!))
    }

    private static func twoDigits(_ first: ClosedRange<Character>, _ second: ClosedRange<Character>) -> GrammarExpression {
        .sequence([digits(first), digits(second)])
    }

    /// YYYY-MM-DD with month 01-12 and day 01-31.
    static let date: GrammarExpression = .sequence([
        .repetition(digits("0" ... "9"), minimum: 4, maximum: 4), .byte(UInt8(ascii: "-")),
        .choice([twoDigits("0" ... "0", "1" ... "9"), twoDigits("1" ... "1", "0" ... "2")]), .byte(UInt8(ascii: "-")),
        .choice([twoDigits("0" ... "0", "1" ... "9"), twoDigits("1" ... "2", "0" ... "9"), twoDigits("3" ... "3", "0" ... "1")]),
    ])

    private static let hour: GrammarExpression = .choice([twoDigits("0" ... "1", "0" ... "9"), twoDigits("2" ... "2", "0" ... "3")])
    private static let minute: GrammarExpression = twoDigits("0" ... "5", "0" ... "9")

    /// hh:mm:ss, optional milliseconds, then `Z` or an offset ±hh:mm.
    static let time: GrammarExpression = .sequence([
        hour, .byte(UInt8(ascii: ":")), minute, .byte(UInt8(ascii: ":")), minute,
        .optional(.sequence([.byte(UInt8(ascii: ".")), .repetition(digits("0" ... "9"), minimum: 3, maximum: 3)])),
        .choice([
            .byte(UInt8(ascii: "Z")),
            .sequence([.bytes(ByteSet([UInt8(ascii: "+"), UInt8(ascii: "-")])), hour, .byte(UInt8(ascii: ":")), minute]),
        ]),
    ])
}
