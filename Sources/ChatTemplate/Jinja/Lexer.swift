/// Splits template text into tokens the way jinja2's lexer does with Hugging Face's settings
/// (`trim_blocks=True`, `lstrip_blocks=True`, `keep_trailing_newline=False`).
struct Lexer {
    private let s: [Unicode.Scalar]
    private var pos = 0
    private var tokens: [Token] = []
    private var lineStarts: [Int] = [0]
    /// jinja2's `line_starting`: the previous match ended with a newline, so `lstrip_blocks`
    /// also applies to text that has no newline of its own.
    private var lineStarting = true

    init(source: String) {
        // jinja2 normalises \r\n and \r to \n, and drops one trailing newline.
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(source.unicodeScalars.count)
        var previousCR = false
        for c in source.unicodeScalars {
            if c == "\r" { scalars.append("\n"); previousCR = true; continue }
            if c == "\n" && previousCR { previousCR = false; continue }
            previousCR = false
            scalars.append(c)
        }
        if scalars.last == "\n" { scalars.removeLast() }
        s = scalars
        for (i, c) in s.enumerated() where c == "\n" { lineStarts.append(i + 1) }
    }

    static func tokenize(_ source: String) throws(TemplateError) -> [Token] {
        var lexer = Lexer(source: source)
        try lexer.run()
        return lexer.tokens
    }

    private func location(_ index: Int) -> TemplateLocation {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return TemplateLocation(line: lo + 1, column: index - lineStarts[lo] + 1)
    }

    private func starts(with text: String, at index: Int) -> Bool {
        var i = index
        for c in text.unicodeScalars {
            guard i < s.count, s[i] == c else { return false }
            i += 1
        }
        return true
    }

    private static func isSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace }

    private mutating func run() throws(TemplateError) {
        while pos < s.count {
            // Find the next tag opener.
            var tagStart = pos
            var tag: Character? = nil
            while tagStart + 1 < s.count {
                if s[tagStart] == "{" {
                    let n = s[tagStart + 1]
                    if n == "{" || n == "%" || n == "#" { tag = Character(n); break }
                }
                tagStart += 1
            }
            guard let tag else {
                emitText(pos, s.count)
                pos = s.count
                break
            }
            let signIndex = tagStart + 2
            let sign: Unicode.Scalar? = signIndex < s.count && (s[signIndex] == "-" || s[signIndex] == "+") ? s[signIndex] : nil
            var textEnd = tagStart
            if sign == "-" {
                while textEnd > pos, Self.isSpace(s[textEnd - 1]) { textEnd -= 1 }
            } else if sign != "+" && tag != "{" {
                // lstrip_blocks: drop spaces between the line start and a block or comment tag.
                var lineStart = textEnd
                while lineStart > pos, s[lineStart - 1] != "\n" { lineStart -= 1 }
                let hasNewline = lineStart > pos
                if (hasNewline || lineStarting) && lineStart < textEnd && (lineStart..<textEnd).allSatisfy({ Self.isSpace(s[$0]) }) {
                    textEnd = lineStart
                }
            }
            emitText(pos, textEnd)
            let openerLocation = location(tagStart)
            pos = signIndex + (sign == nil ? 0 : 1)
            lineStarting = false
            switch tag {
            case "#": try lexComment(openerLocation)
            case "%":
                if try lexRawBlock(openerLocation) { continue }
                tokens.append(Token(kind: .statementStart, location: openerLocation))
                try lexInside(closer: "%", opener: openerLocation)
            default:
                tokens.append(Token(kind: .expressionStart, location: openerLocation))
                try lexInside(closer: "}", opener: openerLocation)
            }
        }
        tokens.append(Token(kind: .end, location: location(s.count)))
    }

    private mutating func emitText(_ from: Int, _ to: Int) {
        guard from < to else { return }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: s[from..<to])
        tokens.append(Token(kind: .text(String(text)), location: location(from)))
    }

    /// Consumes a tag end (`%}` or `#}` with trim_blocks, `}}` without) and its whitespace control.
    private mutating func consumeTagEnd(_ closer: Unicode.Scalar, trimsNewline: Bool) -> Bool {
        let close = closer == "}" ? "}}" : String(closer) + "}"
        if closer != "}" && starts(with: "+" + close, at: pos) {
            pos += 3
            return true
        }
        if starts(with: "-" + close, at: pos) {
            pos += 3
            while pos < s.count, Self.isSpace(s[pos]) { pos += 1 }
            lineStarting = pos > 0 && s[pos - 1] == "\n"
            return true
        }
        if starts(with: close, at: pos) {
            pos += 2
            if trimsNewline, pos < s.count, s[pos] == "\n" { pos += 1; lineStarting = true }
            return true
        }
        return false
    }

    private mutating func lexComment(_ opener: TemplateLocation) throws(TemplateError) {
        while pos < s.count {
            if consumeTagEnd("#", trimsNewline: true) { return }
            pos += 1
        }
        throw .syntax("missing end of comment tag", opener)
    }

    /// `{% raw %}…{% endraw %}`: the body is text, not template code.
    private mutating func lexRawBlock(_ opener: TemplateLocation) throws(TemplateError) -> Bool {
        var i = pos
        while i < s.count, Self.isSpace(s[i]) { i += 1 }
        guard starts(with: "raw", at: i) else { return false }
        i += 3
        while i < s.count, Self.isSpace(s[i]) { i += 1 }
        pos = i
        guard consumeTagEnd("%", trimsNewline: true) else { pos = i - 3; return false }
        let bodyStart = pos
        while pos < s.count {
            if starts(with: "{%", at: pos) {
                var j = pos + 2
                let sign = j < s.count && (s[j] == "-" || s[j] == "+") ? s[j] : nil
                if sign != nil { j += 1 }
                while j < s.count, Self.isSpace(s[j]) { j += 1 }
                if starts(with: "endraw", at: j) {
                    var end = pos
                    if sign == "-" { while end > bodyStart, Self.isSpace(s[end - 1]) { end -= 1 } }
                    emitText(bodyStart, end)
                    pos = j + 6
                    while pos < s.count, Self.isSpace(s[pos]) { pos += 1 }
                    guard consumeTagEnd("%", trimsNewline: true) else { throw .syntax("malformed endraw tag", location(pos)) }
                    return true
                }
            }
            pos += 1
        }
        throw .syntax("missing end of raw directive", opener)
    }

    private static let twoCharacterOperators: Set<String> = ["//", "**", "==", "!=", ">=", "<="]
    private static let oneCharacterOperators: Set<Unicode.Scalar> = ["+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", "<", ">", "=", ".", ":", "|", ",", ";"]

    private mutating func lexInside(closer: Unicode.Scalar, opener: TemplateLocation) throws(TemplateError) {
        var brackets: [Unicode.Scalar] = []
        while true {
            while pos < s.count, Self.isSpace(s[pos]) { pos += 1 }
            guard pos < s.count else {
                throw .syntax(closer == "}" ? "unexpected end of template, expected '}}'" : "unexpected end of template, expected '%}'", opener)
            }
            let start = pos
            let here = location(start)
            if brackets.isEmpty, consumeTagEnd(closer, trimsNewline: closer == "%") {
                tokens.append(Token(kind: closer == "}" ? .expressionEnd : .statementEnd, location: here))
                return
            }
            let c = s[pos]
            if c == "'" || c == "\"" {
                tokens.append(Token(kind: .string(try lexString(quote: c)), location: here))
            } else if c.properties.numericType != nil && c.isASCII {
                tokens.append(Token(kind: lexNumber(), location: here))
            } else if c == "_" || c.properties.isAlphabetic {
                var name = String.UnicodeScalarView()
                while pos < s.count, s[pos] == "_" || s[pos].properties.isAlphabetic || (s[pos].isASCII && s[pos].properties.numericType != nil) {
                    name.append(s[pos]); pos += 1
                }
                tokens.append(Token(kind: .name(String(name)), location: here))
            } else {
                var op = ""
                if pos + 1 < s.count {
                    let two = String(String.UnicodeScalarView([c, s[pos + 1]]))
                    if Self.twoCharacterOperators.contains(two) { op = two }
                }
                if op.isEmpty {
                    guard Self.oneCharacterOperators.contains(c) else { throw .syntax("unexpected character '\(c)'", here) }
                    op = String(c)
                }
                pos += op.unicodeScalars.count
                switch op {
                case "(": brackets.append(")")
                case "[": brackets.append("]")
                case "{": brackets.append("}")
                case ")", "]", "}":
                    guard let expected = brackets.popLast() else { throw .syntax("unexpected '\(op)'", here) }
                    guard String(expected) == op else { throw .syntax("unexpected '\(op)', expected '\(expected)'", here) }
                default: break
                }
                tokens.append(Token(kind: .op(op), location: here))
            }
        }
    }

    private mutating func lexNumber() -> Token.Kind {
        var text = ""
        func digits() { while pos < s.count, (s[pos].isASCII && s[pos].properties.numericType != nil) || s[pos] == "_" { if s[pos] != "_" { text.unicodeScalars.append(s[pos]) }; pos += 1 } }
        digits()
        var isFloat = false
        if pos + 1 < s.count, s[pos] == ".", s[pos + 1].isASCII, s[pos + 1].properties.numericType != nil {
            isFloat = true
            text += "."; pos += 1
            digits()
        }
        if pos < s.count, s[pos] == "e" || s[pos] == "E" {
            var j = pos + 1
            if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
            if j < s.count, s[j].isASCII, s[j].properties.numericType != nil {
                isFloat = true
                text += "e" + (s[pos + 1] == "-" ? "-" : "")
                pos = j
                digits()
            }
        }
        if !isFloat, let i = Int(text) { return .integer(i) }
        return .float(Double(text) ?? .infinity)
    }

    /// A string literal with Python's escapes (jinja2 decodes them with `unicode-escape`).
    private mutating func lexString(quote: Unicode.Scalar) throws(TemplateError) -> String {
        let start = pos
        pos += 1
        var out = String.UnicodeScalarView()
        while pos < s.count {
            let c = s[pos]
            if c == quote { pos += 1; return String(out) }
            if c == "\\", pos + 1 < s.count {
                let e = s[pos + 1]
                pos += 2
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "\\": out.append("\\")
                case "'": out.append("'")
                case "\"": out.append("\"")
                case "a": out.append("\u{07}")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "v": out.append("\u{0B}")
                case "0"..."7":
                    var value = e.value - 0x30
                    var count = 1
                    while count < 3, pos < s.count, ("0"..."7").contains(s[pos]) { value = value * 8 + s[pos].value - 0x30; pos += 1; count += 1 }
                    out.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                case "x", "u", "U":
                    let width = e == "x" ? 2 : e == "u" ? 4 : 8
                    var hex = ""
                    for _ in 0..<width where pos < s.count { hex.unicodeScalars.append(s[pos]); pos += 1 }
                    guard hex.count == width, let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else {
                        throw .syntax("invalid \\\(e) escape in string", location(start))
                    }
                    out.append(scalar)
                case "\n": break  // a backslash-newline continues the line
                default: out.append("\\"); out.append(e)
                }
                continue
            }
            out.append(c)
            pos += 1
        }
        throw .syntax("unterminated string", location(start))
    }
}
