/// A regular-expression subset for string `pattern`s, compiled to the grammar of the string's
/// contents as written in JSON: literals, `.`, classes `[a-z_]` and `[^…]` over ASCII, `\d \w
/// \s \D \W \S`, escaped metacharacters, groups `( )` and `(?: )`, `|`, and the quantifiers
/// `? * + {n} {n,} {n,m}`. A pattern not anchored with `^`/`$` may have any text around the
/// match, as JSON Schema patterns search rather than match. Anything else (backreferences,
/// lookaround, lazy quantifiers, anchors inside) is an error naming `pattern`.
struct StringPattern {
    private let characters: [Character]
    private var position = 0
    private let path: String

    static func expression(for pattern: String, path: String) throws(SchemaError) -> GrammarExpression {
        var body = Substring(pattern)
        let anchoredStart = body.hasPrefix("^")
        if anchoredStart { body = body.dropFirst() }
        let anchoredEnd = body.hasSuffix("$") && !body.hasSuffix("\\$")
        if anchoredEnd { body = body.dropLast() }
        var parser = StringPattern(characters: Array(body), path: path)
        let expression = try parser.alternation()
        guard parser.position == parser.characters.count else { throw parser.unsupported("unexpected \"\(parser.characters[parser.position])\"") }
        let free = GrammarExpression.zeroOrMore(JSONGrammar.character)
        return .sequence([anchoredStart ? .empty : free, expression, anchoredEnd ? .empty : free])
    }

    private init(characters: [Character], path: String) {
        self.characters = characters
        self.path = path
    }

    private func unsupported(_ detail: String) -> SchemaError {
        .unsupportedKeyword("pattern", path: path, reason: "\(detail); supported: literals, ., [classes], \\d \\w \\s, groups, |, ? * + {n,m}, ^ and $ at the ends")
    }

    private var current: Character? { position < characters.count ? characters[position] : nil }

    private mutating func alternation() throws(SchemaError) -> GrammarExpression {
        var alternatives = [try concatenation()]
        while current == "|" {
            position += 1
            alternatives.append(try concatenation())
        }
        return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
    }

    private mutating func concatenation() throws(SchemaError) -> GrammarExpression {
        var items: [GrammarExpression] = []
        while let character = current, character != "|", character != ")" {
            items.append(try quantified(try atom()))
        }
        return .sequence(items)
    }

    private mutating func quantified(_ atom: GrammarExpression) throws(SchemaError) -> GrammarExpression {
        var minimum: Int, maximum: Int?
        switch current {
        case "?": (minimum, maximum) = (0, 1)
        case "*": (minimum, maximum) = (0, nil)
        case "+": (minimum, maximum) = (1, nil)
        case "{":
            guard let close = characters[position...].firstIndex(of: "}") else { throw unsupported("unclosed {") }
            let bounds = String(characters[(position + 1) ..< close]).split(separator: ",", omittingEmptySubsequences: false)
            guard (1 ... 2).contains(bounds.count), let low = Int(bounds[0]), low <= JSONSchemaCompiler.largestCount else {
                throw unsupported("invalid repetition {\(String(characters[(position + 1) ..< close]))}")
            }
            minimum = low
            if bounds.count == 1 {
                maximum = low
            } else if bounds[1].isEmpty {
                maximum = nil
            } else {
                guard let high = Int(bounds[1]), high >= low, high <= JSONSchemaCompiler.largestCount else { throw unsupported("invalid repetition bounds") }
                maximum = high
            }
            position = close
        default:
            return atom
        }
        position += 1
        if current == "?" || current == "+" { throw unsupported("lazy and possessive quantifiers") }
        return .repetition(atom, minimum: minimum, maximum: maximum)
    }

    private mutating func atom() throws(SchemaError) -> GrammarExpression {
        let character = characters[position]
        position += 1
        switch character {
        case "(":
            if current == "?" {
                guard position + 1 < characters.count, characters[position + 1] == ":" else { throw unsupported("lookaround and named groups") }
                position += 2
            }
            let inner = try alternation()
            guard current == ")" else { throw unsupported("unclosed group") }
            position += 1
            return inner
        case "[": return try characterClass()
        case ".": return JSONGrammar.character
        case "\\": return try escapedAtom()
        case "^", "$": throw unsupported("anchors inside the pattern")
        case "*", "+", "?", "{": throw unsupported("a quantifier with nothing to repeat")
        default: return Self.literal(character)
        }
    }

    /// A character as it appears inside a JSON string (escaped where JSON requires it).
    private static func literal(_ character: Character) -> GrammarExpression {
        .literal(JSONText.escapedContents(String(character)))
    }

    private static let wordBytes = ByteSet(UInt8(ascii: "a") ... UInt8(ascii: "z"))
        .union(ByteSet(UInt8(ascii: "A") ... UInt8(ascii: "Z"))).union(JSONGrammar.digit).union(.byte(UInt8(ascii: "_")))
    private static let spaceBytes = ByteSet(Array(" \t\n\r".utf8))

    private mutating func escapedAtom() throws(SchemaError) -> GrammarExpression {
        guard let character = current else { throw unsupported("a trailing backslash") }
        position += 1
        switch character {
        case "d": return Self.classExpression(JSONGrammar.digit, negated: false)
        case "w": return Self.classExpression(Self.wordBytes, negated: false)
        case "s": return Self.classExpression(Self.spaceBytes, negated: false)
        case "D": return Self.classExpression(JSONGrammar.digit, negated: true)
        case "W": return Self.classExpression(Self.wordBytes, negated: true)
        case "S": return Self.classExpression(Self.spaceBytes, negated: true)
        case "n": return Self.literal("\n")
        case "t": return Self.literal("\t")
        case "r": return Self.literal("\r")
        case _ where character.isLetter || character.isNumber:
            throw unsupported("the escape \\\(character)")
        default: return Self.literal(character)
        }
    }

    private mutating func characterClass() throws(SchemaError) -> GrammarExpression {
        var negated = false
        if current == "^" {
            negated = true
            position += 1
        }
        var set = ByteSet()
        var first = true
        while let character = current, character != "]" || first {
            first = false
            position += 1
            var low: UInt8
            if character == "\\" {
                guard let escaped = current else { throw unsupported("unclosed [") }
                position += 1
                switch escaped {
                case "d": set = set.union(JSONGrammar.digit); continue
                case "w": set = set.union(Self.wordBytes); continue
                case "s": set = set.union(Self.spaceBytes); continue
                case "n": low = 0x0A
                case "t": low = 0x09
                case "r": low = 0x0D
                default:
                    guard let ascii = escaped.asciiValue, !escaped.isLetter, !escaped.isNumber else { throw unsupported("the escape \\\(escaped) in a class") }
                    low = ascii
                }
            } else {
                guard let ascii = character.asciiValue else { throw unsupported("non-ASCII characters in a class") }
                low = ascii
            }
            if current == "-", position + 1 < characters.count, characters[position + 1] != "]" {
                guard let high = characters[position + 1].asciiValue, high >= low else { throw unsupported("an invalid range in a class") }
                position += 2
                set = set.union(ByteSet(low ... high))
            } else {
                set.insert(low)
            }
        }
        guard current == "]" else { throw unsupported("unclosed [") }
        position += 1
        return Self.classExpression(set, negated: negated)
    }

    /// ASCII characters of `set` (or, negated, every character outside it) as JSON string
    /// contents: characters JSON must escape are written escaped.
    private static func classExpression(_ set: ByteSet, negated: Bool) -> GrammarExpression {
        let members = negated ? ByteSet(0 ... 0x7F).subtracting(set) : set
        var alternatives: [GrammarExpression] = []
        let plain = members.subtracting(ByteSet(0 ... 0x1F)).subtracting(ByteSet([0x22, 0x5C, 0x7F]))
        if !plain.isEmpty { alternatives.append(.bytes(plain)) }
        for byte in members.members where !plain.contains(byte) && byte != 0x7F {
            alternatives.append(literal(Character(Unicode.Scalar(byte))))
        }
        if negated { alternatives.append(JSONGrammar.multiByteScalar) }
        return alternatives.count == 1 ? alternatives[0] : .choice(alternatives)
    }
}
