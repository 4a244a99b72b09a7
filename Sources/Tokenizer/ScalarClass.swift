/// The character classes the pre-tokenizer patterns test: `\p{L}`, `\p{N}`, `\s`, and everything
/// else. Exactly one bit is set for a scalar inside the text being split; zero means "past the end",
/// which is how llama.cpp's scanners see positions outside the current piece (llama.cpp unicode.cpp).
struct ScalarClass: OptionSet, Sendable {
    let rawValue: UInt8

    static let letter = ScalarClass(rawValue: 1 << 0)
    static let number = ScalarClass(rawValue: 1 << 1)
    static let whitespace = ScalarClass(rawValue: 1 << 2)
    static let other = ScalarClass(rawValue: 1 << 3)
    /// Only for the default split's first pass: `\p{P}` and the ASCII symbols it lists.
    static let punctuationOrListedSymbol = ScalarClass(rawValue: 1 << 4)

    static let outside = ScalarClass([])

    init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Whitespace is the Unicode White_Space property, as Python's `regex` `\s` that generated
    /// llama.cpp's tables (so U+001C…U+001F are not whitespace, U+0085 and U+3000 are).
    init(_ scalar: Unicode.Scalar) {
        if scalar.value < 128 {
            self = ScalarClass.asciiTable[Int(scalar.value)]
            return
        }
        let properties = scalar.properties
        if properties.isWhitespace {
            self = .whitespace
            return
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            self = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            self = .number
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            self = [.other, .punctuationOrListedSymbol]
        default:
            self = .other
        }
    }

    private static let asciiTable: [ScalarClass] = (0..<128).map { value in
        let byte = UInt8(value)
        switch byte {
        case 0x09...0x0D, 0x20: return .whitespace
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"): return .letter
        default:
            // ASCII punctuation plus the symbols `$+<=>^~|` that the default split lists
            // explicitly; the backtick is neither (llama.cpp llama-vocab default regex).
            let listed = Array("!\"#%&'()*,-./:;?@[\\]_{}$+<=>^~|".utf8)
            return listed.contains(byte) ? [.other, .punctuationOrListedSymbol] : .other
        }
    }
}
