/// The pieces of JSON (RFC 8259) as grammar expressions, with the bounds that keep a small
/// model from running on forever inside a value.
enum JSONGrammar {
    /// Whitespace between tokens: nothing, one space, or one or two newlines followed by up to 20
    /// spaces or tabs, the same bound as llama.cpp's `SPACE_RULE` (common/json-schema-to-grammar.cpp).
    /// Enough for indented output, and a model cannot loop on whitespace forever.
    static let whitespace: GrammarExpression = .choice([
        .empty,
        .byte(UInt8(ascii: " ")),
        .sequence([
            .byte(UInt8(ascii: "\n")),
            .optional(.byte(UInt8(ascii: "\n"))),
            .repetition(.bytes(ByteSet([UInt8(ascii: " "), UInt8(ascii: "\t")])), minimum: 0, maximum: 20),
        ]),
    ])

    static let digit = ByteSet(UInt8(ascii: "0") ... UInt8(ascii: "9"))
    static let nonZeroDigit = ByteSet(UInt8(ascii: "1") ... UInt8(ascii: "9"))
    static let hexDigit = ByteSet(UInt8(ascii: "0") ... UInt8(ascii: "9"))
        .union(ByteSet(UInt8(ascii: "a") ... UInt8(ascii: "f")))
        .union(ByteSet(UInt8(ascii: "A") ... UInt8(ascii: "F")))

    /// `0` or up to 16 digits without a leading zero (llama.cpp `integral-part`: 16 digits is
    /// all a double carries).
    static let integralPart: GrammarExpression = .choice([
        .byte(UInt8(ascii: "0")),
        .sequence([.bytes(nonZeroDigit), .repetition(.bytes(digit), minimum: 0, maximum: 15)]),
    ])

    static let integer: GrammarExpression = .sequence([.optional(.byte(UInt8(ascii: "-"))), integralPart])

    /// Optional sign, integral part, up to 16 fraction digits, optional exponent.
    static let number: GrammarExpression = .sequence([
        integer,
        .optional(.sequence([.byte(UInt8(ascii: ".")), .repetition(.bytes(digit), minimum: 1, maximum: 16)])),
        .optional(.sequence([
            .bytes(ByteSet([UInt8(ascii: "e"), UInt8(ascii: "E")])),
            .optional(.bytes(ByteSet([UInt8(ascii: "+"), UInt8(ascii: "-")]))),
            integralPart,
        ])),
    ])

    static let boolean: GrammarExpression = .choice([.literal("true"), .literal("false")])
    static let null: GrammarExpression = .literal("null")

    /// Printable ASCII but `"` and `\`. Control characters must be escaped (RFC 8259 §7); DEL is
    /// left out as in llama.cpp's `char` rule.
    static let plainASCII = ByteSet(0x20 ... 0x7E).subtracting(ByteSet([UInt8(ascii: "\""), UInt8(ascii: "\\")]))

    /// One well-formed multi-byte UTF-8 sequence (Unicode 15, table 3-7): no overlong forms, no
    /// surrogates, nothing above U+10FFFF, so the output always decodes.
    static let multiByteScalar: GrammarExpression = {
        let tail = GrammarExpression.bytes(ByteSet(0x80 ... 0xBF))
        return .choice([
            .sequence([.bytes(ByteSet(0xC2 ... 0xDF)), tail]),
            .sequence([.byte(0xE0), .bytes(ByteSet(0xA0 ... 0xBF)), tail]),
            .sequence([.bytes(ByteSet(0xE1 ... 0xEC).union(ByteSet(0xEE ... 0xEF))), tail, tail]),
            .sequence([.byte(0xED), .bytes(ByteSet(0x80 ... 0x9F)), tail]),
            .sequence([.byte(0xF0), .bytes(ByteSet(0x90 ... 0xBF)), tail, tail]),
            .sequence([.bytes(ByteSet(0xF1 ... 0xF3)), tail, tail, tail]),
            .sequence([.byte(0xF4), .bytes(ByteSet(0x80 ... 0x8F)), tail, tail]),
        ])
    }()

    /// `\` and an escape: one of `"\/bfnrt`, or `u` and four hex digits where a high surrogate
    /// must be followed by an escaped low surrogate and a lone low surrogate is refused (RFC 8259
    /// §7 allows them, but most parsers, Foundation's among them, reject unpaired ones).
    static let escape: GrammarExpression = {
        let hex = GrammarExpression.bytes(hexDigit)
        let d = GrammarExpression.bytes(ByteSet([UInt8(ascii: "d"), UInt8(ascii: "D")]))
        let notD = hexDigit.subtracting(ByteSet([UInt8(ascii: "d"), UInt8(ascii: "D")]))
        let highSecond = ByteSet(UInt8(ascii: "8") ... UInt8(ascii: "9"))
            .union(ByteSet([UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "A"), UInt8(ascii: "B")]))
        let lowSecond = ByteSet(UInt8(ascii: "c") ... UInt8(ascii: "f")).union(ByteSet(UInt8(ascii: "C") ... UInt8(ascii: "F")))
        let unicode = GrammarExpression.choice([
            .sequence([.bytes(notD), hex, hex, hex]),
            .sequence([d, .bytes(ByteSet(UInt8(ascii: "0") ... UInt8(ascii: "7"))), hex, hex]),
            .sequence([d, .bytes(highSecond), hex, hex, .literal("\\u"), d, .bytes(lowSecond), hex, hex]),
        ])
        return .sequence([
            .byte(UInt8(ascii: "\\")),
            .choice([.bytes(ByteSet(Array("\"\\/bfnrt".utf8))), .sequence([.byte(UInt8(ascii: "u")), unicode])]),
        ])
    }()

    /// One character of a string's contents, as written in JSON.
    static let character: GrammarExpression = .choice([.bytes(plainASCII), multiByteScalar, escape])

    /// A string of `minimumLength` to `maximumLength` characters (an escape counts as one
    /// character, so a surrogate pair counts as two).
    static func string(minimumLength: Int = 0, maximumLength: Int? = nil) -> GrammarExpression {
        .sequence([.byte(UInt8(ascii: "\"")), .repetition(character, minimum: minimumLength, maximum: maximumLength), .byte(UInt8(ascii: "\""))])
    }

    static let quote = GrammarExpression.byte(UInt8(ascii: "\""))

    /// A string whose contents differ from each of `excluded` (as written, unescaped ASCII):
    /// the keys of additional properties must not repeat a declared property. A name spelled with
    /// escapes (`\u0061` for `a`) or containing non-ASCII characters is not recognised as equal.
    static func string(excluding excluded: [String]) -> GrammarExpression {
        var trie = ExclusionTrie()
        for name in excluded { trie.insert(Array(JSONText.escapedContents(name).utf8)[...]) }
        return .sequence([quote, trie.expression])
    }

    /// `{ }` with `members` inside, whitespace after the brace and after every member.
    static func object(_ members: [GrammarExpression.ListItem]) -> GrammarExpression {
        .sequence([
            .byte(UInt8(ascii: "{")), whitespace,
            .separatedList(members.map { .init(.sequence([$0.expression, whitespace]), $0.presence) },
                           separator: .sequence([.byte(UInt8(ascii: ",")), whitespace])),
            .byte(UInt8(ascii: "}")),
        ])
    }

    /// `"key": value` with optional whitespace around the colon.
    static func member(key: GrammarExpression, value: GrammarExpression) -> GrammarExpression {
        .sequence([key, whitespace, .byte(UInt8(ascii: ":")), whitespace, value])
    }

    /// `[ ]` with `minimum` to `maximum` items.
    static func array(item: GrammarExpression, minimum: Int = 0, maximum: Int? = nil) -> GrammarExpression {
        let open = GrammarExpression.sequence([.byte(UInt8(ascii: "[")), whitespace])
        let close = GrammarExpression.byte(UInt8(ascii: "]"))
        if maximum == 0 { return .sequence([open, close]) }
        let rest = GrammarExpression.repetition(
            .sequence([.byte(UInt8(ascii: ",")), whitespace, item, whitespace]),
            minimum: max(minimum - 1, 0), maximum: maximum.map { $0 - 1 })
        let items = GrammarExpression.sequence([item, whitespace, rest])
        return .sequence([open, minimum > 0 ? items : .optional(items), close])
    }

    /// Registers the rules of any JSON value in `builder` and returns the value rule.
    static func anyValue(in builder: GrammarBuilder) -> GrammarRuleID {
        let value = builder.declareRule()
        let object = builder.rule(Self.object([.init(member(key: string(), value: .rule(value)), .repeated)]))
        let array = builder.rule(Self.array(item: .rule(value)))
        builder.define(value, as: .choice([.rule(object), .rule(array), string(), number, boolean, null]))
        return value
    }
}

/// Excluded strings' contents as a trie: at each node a string may leave the excluded names by
/// a different character, go on along a name, or end where no name ends.
private struct ExclusionTrie {
    var children: [UInt8: ExclusionTrie] = [:]
    var isEnd = false

    mutating func insert(_ bytes: ArraySlice<UInt8>) {
        guard let first = bytes.first else {
            isEnd = true
            return
        }
        children[first, default: ExclusionTrie()].insert(bytes.dropFirst())
    }

    var expression: GrammarExpression {
        let freeTail = GrammarExpression.sequence([.zeroOrMore(JSONGrammar.character), JSONGrammar.quote])
        let otherASCII = JSONGrammar.plainASCII.subtracting(ByteSet(children.keys))
        var alternatives: [GrammarExpression] = [
            .sequence([.choice([.bytes(otherASCII), JSONGrammar.multiByteScalar, JSONGrammar.escape]), freeTail]),
        ]
        for byte in children.keys.sorted() where JSONGrammar.plainASCII.contains(byte) {
            alternatives.append(.sequence([.byte(byte), children[byte]!.expression]))
        }
        if !isEnd { alternatives.append(JSONGrammar.quote) }
        return .choice(alternatives)
    }
}
