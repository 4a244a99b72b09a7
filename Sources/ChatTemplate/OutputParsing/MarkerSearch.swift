/// Finding fixed markers (`<think>`, `<tool_call>`, `[TOOL_CALLS]`) in streamed text that may
/// stop in the middle of one.
enum MarkerSearch {
    /// The index where `marker` starts in `text`, if it does.
    static func find(_ marker: [Unicode.Scalar], in text: [Unicode.Scalar], from start: Int = 0) -> Int? {
        guard !marker.isEmpty, text.count >= marker.count else { return nil }
        var i = start
        while i + marker.count <= text.count {
            if text[i] == marker[0] && text[i..<(i + marker.count)].elementsEqual(marker) { return i }
            i += 1
        }
        return nil
    }

    /// Length of the longest tail of `text` that is a proper start of `marker`: text that must be
    /// held back because the next chunk may complete the marker.
    static func partialSuffix(of text: [Unicode.Scalar], marker: [Unicode.Scalar]) -> Int {
        var length = min(marker.count - 1, text.count)
        while length > 0 {
            if text[(text.count - length)...].elementsEqual(marker[..<length]) { return length }
            length -= 1
        }
        return 0
    }

    static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    static func isSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace }

    /// Where a JSON object or array that starts at `start` ends (index after the closing
    /// bracket), or nil while it is incomplete. Tracks strings so braces inside them do not count.
    static func endOfJSON(in text: [Unicode.Scalar], from start: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        var i = start
        while i < text.count {
            let c = text[i]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
            } else {
                switch c {
                case "\"": inString = true
                case "{", "[": depth += 1
                case "}", "]":
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
            }
            i += 1
        }
        return nil
    }
}
