/// Left-aligned columns separated by at least four spaces, no borders, as `ollama list` prints.
struct TableLayout {
    var rows: [[String]]

    var text: String {
        guard let header = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 4, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }
}

/// Ollama's human formats (ollama `format/bytes.go`, `format/time.go`).
enum HumanFormat {
    /// Decimal units: `98 MB`, `2.0 GB`.
    static func bytes(_ count: Int64) -> String {
        let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")]
        guard let (scale, unit) = units.first(where: { Double(count) >= $0.0 }) else { return "\(count) B" }
        let value = Double(count) / scale
        if value >= 10 || value == value.rounded(.towardZero) { return "\(Int(value)) \(unit)" }
        return "\((value * 10).rounded(.towardZero) / 10) \(unit)"
    }

    /// `4 weeks ago`, `4 minutes from now`, `Forever` (more than 20 years ahead).
    static func relative(seconds delta: Double) -> String {
        if delta < -20 * 365 * 86_400 { return "Forever" }
        return delta < 0 ? duration(-delta) + " from now" : duration(delta) + " ago"
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds)
        if whole < 1 { return "Less than a second" }
        if whole == 1 { return "1 second" }
        if whole < 60 { return "\(whole) seconds" }
        let minutes = whole / 60
        if minutes == 1 { return "About a minute" }
        if minutes < 60 { return "\(minutes) minutes" }
        let hours = Int((seconds / 3600).rounded())
        if hours == 1 { return "About an hour" }
        if hours < 48 { return "\(hours) hours" }
        if hours < 24 * 7 * 2 { return "\(hours / 24) days" }
        if hours < 24 * 30 * 2 { return "\(hours / 24 / 7) weeks" }
        if hours < 24 * 365 * 2 { return "\(hours / 24 / 30) months" }
        return "\(whole / 86_400 / 365) years"
    }
}
