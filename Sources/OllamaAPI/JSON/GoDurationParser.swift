/// Parses Go `time.ParseDuration` syntax (`"5m"`, `"1h30m"`, `"-1.5s"`, `"0"`), which is what
/// Ollama accepts for `keep_alive` strings and `OLLAMA_KEEP_ALIVE`. Errors carry Go's wording
/// because Ollama returns them to the client verbatim (ollama `api/types.go` Duration).
public enum GoDurationParser {
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Nanoseconds per unit, as Go spells the units.
    private static let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// The duration in nanoseconds (may be negative).
    public static func nanoseconds(_ text: String) throws -> Double {
        let quoted = "\"\(text)\""
        var rest = Substring(text)
        var sign = 1.0
        if let first = rest.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        if rest.isEmpty { throw ParseError(description: "time: invalid duration \(quoted)") }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1, let value = Double(number) else {
                throw ParseError(description: "time: invalid duration \(quoted)")
            }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            if unit.isEmpty { throw ParseError(description: "time: missing unit in duration \(quoted)") }
            guard let scale = units.first(where: { $0.0 == unit })?.1 else {
                throw ParseError(description: "time: unknown unit \"\(unit)\" in duration \(quoted)")
            }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return sign * total
    }
}
