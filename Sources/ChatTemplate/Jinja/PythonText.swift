import Foundation

/// How Python turns values into text: `str()` for output, `repr()` inside containers.
extension Value {
    /// `str(value)`, which is what `{{ value }}` prints.
    var pythonString: String {
        switch self {
        case .undefined: ""
        case .string(let s), .markup(let s): s
        default: pythonRepr
        }
    }

    /// `repr(value)`: `{{ messages }}` prints a list of dicts this way.
    var pythonRepr: String {
        switch self {
        case .undefined: ""
        case .none: "None"
        case .bool(let b): b ? "True" : "False"
        case .int(let i): String(i)
        case .double(let d): PythonFloat.repr(d)
        case .string(let s): PythonFloat.quote(s)
        case .markup(let s): "Markup(" + PythonFloat.quote(s) + ")"
        case .list(let items): "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .dict(let dict):
            "{" +  dict.pairs.map { DictionaryKey.decode($0.key).pythonRepr + ": " + $0.value.pythonRepr }.joined(separator: ", ") + "}"
        case .namespace(let ns):
            "<Namespace " + Value.dict(ns.attributes).pythonRepr + ">"
        case .function(let f): "<function \(f.name)>"
        case .iterator: "<generator object>"
        }
    }
}

enum PythonFloat {
    /// `'%.Nf' % d`.
    static func fixed(_ d: Double, digits: Int) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        return String(format: "%.\(digits)f", d)
    }

    /// Python's float repr: shortest round-trip digits, scientific below 1e-4 and from 1e16.
    static func repr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description gives the same shortest round-trip digits; only the layout differs.
        let (negative, digits, exponent) = decompose(d)
        var out = negative ? "-" : ""
        if exponent < -4 || exponent >= 16 {
            out += String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += "e" + (exponent < 0 ? "-" : "+")
            let e = String(abs(exponent))
            out += e.count < 2 ? "0" + e : e
        } else if exponent < 0 {
            out += "0." + String(repeating: "0", count: -exponent - 1) + digits
        } else if digits.count > exponent + 1 {
            let index = digits.index(digits.startIndex, offsetBy: exponent + 1)
            out += digits[..<index] + "." + digits[index...]
        } else {
            out += digits + String(repeating: "0", count: exponent + 1 - digits.count) + ".0"
        }
        return out
    }

    /// Significant digits (no leading/trailing zeros) and the decimal exponent of the first digit.
    private static func decompose(_ d: Double) -> (Bool, String, Int) {
        var text = abs(d).description  // e.g. "1234.5", "1e-05", "1.5e+16", "0.001"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        var all = integerPart + fraction
        var pointPosition = integerPart.count  // digits before the decimal point
        while all.first == "0" { all.removeFirst(); pointPosition -= 1 }
        while all.last == "0" { all.removeLast() }
        if all.isEmpty { all = "0" }
        return (d < 0, all, pointPosition - 1 + exponent)
    }

    /// Python's string repr: single quotes unless the text has one and no double quote.
    static func quote(_ s: String) -> String {
        let useDouble = s.contains("'") && !s.contains("\"")
        let q: Character = useDouble ? "\"" : "'"
        var out = String(q)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == q {
                    out += "\\" + String(q)
                } else if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else if !isPrintable(scalar) {
                    let v = scalar.value
                    out += v <= 0xff ? "\\x" + hex(v, width: 2) : v <= 0xffff ? "\\u" + hex(v, width: 4) : "\\U" + hex(v, width: 8)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(q)
        return out
    }

    /// Approximates Python's `str.isprintable` (Unicode categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs except space).
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
             .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }

    static func hex(_ v: UInt32, width: Int) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
