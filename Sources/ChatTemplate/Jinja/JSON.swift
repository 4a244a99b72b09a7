/// JSON in and out of `Value`, keeping key order (Python's `json` does; Foundation's does not).
public enum JSON {
    public struct ParseError: Error, CustomStringConvertible {
        public let message: String
        public let offset: Int
        public var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    /// Parses a complete JSON text.
    public static func parse(_ text: String) throws(ParseError) -> Value {
        var reader = Reader(bytes: Array(text.utf8))
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        if reader.position != reader.bytes.count { throw ParseError(message: "trailing characters", offset: reader.position) }
        return value
    }

    /// Options of Python's `json.dumps`, as transformers' `tojson` filter exposes them.
    public struct DumpOptions: Sendable {
        public var ensureASCII = false
        public var indent: String? = nil
        public var itemSeparator: String? = nil
        public var keySeparator: String? = nil
        public var sortKeys = false
        public init() {}
    }

    public enum DumpError: Error { case notSerializable(String) }

    /// `json.dumps(value, ...)` byte for byte.
    public static func dump(_ value: Value, options: DumpOptions = DumpOptions()) throws(DumpError) -> String {
        var out = ""
        // Python's defaults: (', ', ': ') without indent, (',', ': ') with one.
        let item = options.itemSeparator ?? (options.indent == nil ? ", " : ",")
        let key = options.keySeparator ?? ": "
        try write(value, into: &out, options: options, item: item, key: key, level: 0)
        return out
    }

    private static func write(_ value: Value, into out: inout String, options: DumpOptions, item: String, key: String, level: Int) throws(DumpError) {
        switch value {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            out += d.isNaN ? "NaN" : d.isInfinite ? (d < 0 ? "-Infinity" : "Infinity") : PythonFloat.repr(d)
        case .string(let s), .markup(let s): writeString(s, into: &out, ensureASCII: options.ensureASCII)
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, element) in items.enumerated() {
                if i > 0 { out += item }
                newline(&out, options.indent, level + 1)
                try write(element, into: &out, options: options, item: item, key: key, level: level + 1)
            }
            newline(&out, options.indent, level)
            out += "]"
        case .dict(let dict):
            if dict.isEmpty { out += "{}"; return }
            out += "{"
            var pairs = dict.pairs
            if options.sortKeys { pairs.sort { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) } }
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out += item }
                newline(&out, options.indent, level + 1)
                writeString(DictionaryKey.jsonKey(pair.key), into: &out, ensureASCII: options.ensureASCII)
                out += key
                try write(pair.value, into: &out, options: options, item: item, key: key, level: level + 1)
            }
            newline(&out, options.indent, level)
            out += "}"
        case .namespace, .function, .undefined, .iterator:
            throw .notSerializable("Object of type \(value.typeName) is not JSON serializable")
        }
    }

    private static func newline(_ out: inout String, _ indent: String?, _ level: Int) {
        guard let indent else { return }
        out += "\n" + String(repeating: indent, count: level)
    }

    static func writeString(_ s: String, into out: inout String, ensureASCII: Bool) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (ensureASCII && scalar.value > 0x7e) {
                    if scalar.value > 0xffff {
                        let v = scalar.value - 0x10000
                        out += "\\u" + PythonFloat.hex(0xd800 + (v >> 10), width: 4)
                        out += "\\u" + PythonFloat.hex(0xdc00 + (v & 0x3ff), width: 4)
                    } else {
                        out += "\\u" + PythonFloat.hex(scalar.value, width: 4)
                    }
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func skipWhitespace() {
            while position < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[position]) { position += 1 }
        }

        func fail(_ message: String) -> ParseError { ParseError(message: message, offset: position) }

        mutating func value(depth: Int) throws(ParseError) -> Value {
            guard depth < 512 else { throw fail("nesting too deep") }
            guard position < bytes.count else { throw fail("unexpected end") }
            switch bytes[position] {
            case UInt8(ascii: "{"):
                position += 1
                var dict = OrderedDictionary<String, Value>()
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .dict(dict) }
                while true {
                    skipWhitespace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a key string") }
                    let key = try string()
                    skipWhitespace()
                    try expect(":")
                    skipWhitespace()
                    dict[key] = try value(depth: depth + 1)
                    skipWhitespace()
                    if try endOrComma("}") { return .dict(dict) }
                }
            case UInt8(ascii: "["):
                position += 1
                var items: [Value] = []
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .list(items) }
                while true {
                    skipWhitespace()
                    items.append(try value(depth: depth + 1))
                    skipWhitespace()
                    if try endOrComma("]") { return .list(items) }
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .none
            default: return try number()
            }
        }

        mutating func expect(_ c: Character) throws(ParseError) {
            guard position < bytes.count, bytes[position] == c.asciiValue! else { throw fail("expected '\(c)'") }
            position += 1
        }

        mutating func endOrComma(_ close: Character) throws(ParseError) -> Bool {
            guard position < bytes.count else { throw fail("unexpected end") }
            if bytes[position] == close.asciiValue! { position += 1; return true }
            try expect(",")
            return false
        }

        mutating func literal(_ word: String) throws(ParseError) {
            let w = Array(word.utf8)
            guard position + w.count <= bytes.count, Array(bytes[position..<position + w.count]) == w else { throw fail("unexpected character") }
            position += w.count
        }

        mutating func number() throws(ParseError) -> Value {
            let start = position
            var isFloat = false
            if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
            while position < bytes.count {
                let b = bytes[position]
                if b >= 0x30 && b <= 0x39 { position += 1 }
                else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") { isFloat = true; position += 1 }
                else { break }
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            guard !text.isEmpty, text != "-" else { throw fail("unexpected character") }
            if !isFloat, let i = Int(text) { return .int(i) }
            guard let d = Double(text) else { throw fail("invalid number '\(text)'") }
            return .double(d)
        }

        mutating func string() throws(ParseError) -> String {
            position += 1  // opening quote
            var scalars = String.UnicodeScalarView()
            var runStart = position
            func flush(_ end: Int) { scalars.append(contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars) }
            while position < bytes.count {
                let b = bytes[position]
                if b == UInt8(ascii: "\"") {
                    flush(position)
                    position += 1
                    return String(scalars)
                }
                if b == UInt8(ascii: "\\") {
                    flush(position)
                    position += 1
                    guard position < bytes.count else { break }
                    let e = bytes[position]
                    position += 1
                    switch e {
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if code >= 0xd800 && code < 0xdc00, position + 1 < bytes.count,
                           bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                            position += 2
                            let low = try hex4()
                            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
                        }
                        scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                    default: throw fail("invalid escape")
                    }
                    runStart = position
                    continue
                }
                position += 1
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard position + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else { throw fail("invalid \\u escape") }
            position += 4
            return v
        }
    }
}
