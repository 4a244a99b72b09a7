/// Python `str` behaviour that differs from Swift's: code points rather than grapheme
/// clusters, Python's whitespace set, and the exact splitting rules.
enum PythonString {
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || (0x1c...0x1f).contains(c.value)
    }

    static func strip(_ s: String, chars: String?, leading: Bool, trailing: Bool) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        let remove: (Unicode.Scalar) -> Bool = { c in set?.contains(c) ?? isSpace(c) }
        let scalars = Array(s.unicodeScalars)
        var start = 0, end = scalars.count
        if leading { while start < end, remove(scalars[start]) { start += 1 } }
        if trailing { while end > start, remove(scalars[end - 1]) { end -= 1 } }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[start..<end])
        return String(out)
    }

    /// `str.split(sep, maxsplit)` and `str.rsplit`; `sep == nil` splits on runs of whitespace.
    static func split(_ s: String, separator: String?, maxSplit: Int, fromRight: Bool) -> [String] {
        var scalars = Array(s.unicodeScalars)
        var sep = separator.map { Array($0.unicodeScalars) }
        if fromRight { scalars.reverse(); sep?.reverse() }
        var parts: [[Unicode.Scalar]] = []
        if let sep {
            var current: [Unicode.Scalar] = []
            var i = 0
            while i < scalars.count {
                if (maxSplit < 0 || parts.count < maxSplit), i + sep.count <= scalars.count, Array(scalars[i..<i + sep.count]) == sep {
                    parts.append(current)
                    current = []
                    i += sep.count
                } else {
                    current.append(scalars[i])
                    i += 1
                }
            }
            parts.append(current)
        } else {
            var i = 0
            while i < scalars.count {
                while i < scalars.count, isSpace(scalars[i]) { i += 1 }
                guard i < scalars.count else { break }
                if maxSplit >= 0 && parts.count >= maxSplit {
                    var rest = Array(scalars[i...])
                    while let last = rest.last, isSpace(last) { rest.removeLast() }
                    parts.append(rest)
                    break
                }
                var current: [Unicode.Scalar] = []
                while i < scalars.count, !isSpace(scalars[i]) { current.append(scalars[i]); i += 1 }
                parts.append(current)
            }
        }
        if fromRight { parts = parts.reversed().map { $0.reversed() } }
        return parts.map { var v = String.UnicodeScalarView(); v.append(contentsOf: $0); return String(v) }
    }

    static func splitLines(_ s: String, keepEnds: Bool) -> [String] {
        let breaks: Set<UInt32> = [0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029]
        let scalars = Array(s.unicodeScalars)
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if breaks.contains(c.value) {
                var end = String.UnicodeScalarView([c])
                if c == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { end.append("\n"); i += 1 }
                if keepEnds { current.append(contentsOf: end) }
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(c)
            }
            i += 1
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    /// Python's `str.title`: a cased letter after an uncased character starts a word.
    static func title(_ s: String) -> String {
        var out = ""
        var previousCased = false
        for c in s {
            out += previousCased ? c.lowercased() : c.uppercased()
            previousCased = c.isCased
        }
        return out
    }

    static func capitalize(_ s: String) -> String {
        guard let first = s.first else { return s }
        return first.uppercased() + s.dropFirst().lowercased()
    }

    static func replace(_ s: String, _ old: String, _ new: String, count: Int) -> String {
        if old.isEmpty {
            // Python inserts `new` between every character and at both ends.
            var pieces = s.unicodeScalars.map { String($0) }
            var out = ""
            var replaced = 0
            pieces.append("")
            for p in pieces {
                if count < 0 || replaced < count { out += new; replaced += 1 }
                out += p
            }
            return out
        }
        return split(s, separator: old, maxSplit: count, fromRight: false).joined(separator: new)
    }

    /// Index in code points of the first (or last) occurrence, or -1.
    static func find(_ s: String, _ needle: String, fromRight: Bool) -> Int {
        let h = Array(s.unicodeScalars), n = Array(needle.unicodeScalars)
        guard n.count <= h.count else { return -1 }
        let candidates = Array(0...(h.count - n.count))
        for i in fromRight ? candidates.reversed() : candidates where Array(h[i..<i + n.count]) == n { return i }
        return -1
    }

    /// `str.format` with `{}`, `{0}` and `{name}` fields (no format specs).
    static func format(_ s: String, _ args: Arguments) throws(EvaluationError) -> String {
        var out = ""
        var auto = 0
        var chars = Array(s)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "{" && i + 1 < chars.count && chars[i + 1] == "{" { out.append("{"); i += 2; continue }
            if c == "}" && i + 1 < chars.count && chars[i + 1] == "}" { out.append("}"); i += 2; continue }
            if c == "{" {
                guard let close = chars[i...].firstIndex(of: "}") else { throw .runtime("Single '{' encountered in format string") }
                let field = String(chars[(i + 1)..<close])
                let value: Value
                if field.isEmpty {
                    guard auto < args.positional.count else { throw .runtime("Replacement index \(auto) out of range") }
                    value = args.positional[auto]; auto += 1
                } else if let n = Int(field) {
                    guard n < args.positional.count else { throw .runtime("Replacement index \(n) out of range") }
                    value = args.positional[n]
                } else {
                    guard let v = args.keyword.first(where: { $0.0 == field })?.1 else { throw .runtime("KeyError: '\(field)'") }
                    value = v
                }
                out += value.pythonString
                i = close + 1
                continue
            }
            out.append(c)
            i += 1
        }
        chars.removeAll()
        return out
    }
}
