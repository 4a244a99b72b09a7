/// Dict keys that are not strings (`{0: 0, 512: 128}` in a template). Dicts store string keys;
/// other keys are kept in a reserved encoding and turned back into values when a template
/// iterates or prints the dict.
enum DictionaryKey {
    private static let marker = "\u{F8FF}\u{0}"

    static func encode(_ key: Value) -> String? {
        switch key {
        case .string(let s): return s
        case .int(let i): return marker + "i" + String(i)
        case .bool(let b): return marker + "i" + (b ? "1" : "0")  // True == 1 as a Python dict key
        case .double(let d):
            if d == d.rounded(), let i = Int(exactly: d) { return marker + "i" + String(i) }
            return marker + "f" + String(d)
        case .none: return marker + "n"
        default: return nil
        }
    }

    static func decode(_ key: String) -> Value {
        guard key.hasPrefix(marker) else { return .string(key) }
        let body = key.dropFirst(marker.count)
        switch body.first {
        case "i": return .int(Int(body.dropFirst())!)
        case "f": return .double(Double(body.dropFirst())!)
        default: return .none
        }
    }

    /// What `json.dumps` writes for a key: Python turns ints, floats, bools and None into strings.
    static func jsonKey(_ key: String) -> String {
        switch decode(key) {
        case .string(let s): s
        case .none: "null"
        case let v: v.pythonRepr
        }
    }
}
