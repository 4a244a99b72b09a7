/// Formats nanoseconds the way Go's `time.Duration.String` does (`1.5s`, `118.25ms`, `800µs`,
/// `1m2.5s`), which is how `ollama run --verbose` prints its timings.
public func formatGoDuration(nanoseconds: UInt64) -> String {
    if nanoseconds == 0 { return "0s" }
    if nanoseconds < 1_000 { return "\(nanoseconds)ns" }
    if nanoseconds < 1_000_000 { return decimal(nanoseconds, unit: 1_000, digits: 3) + "µs" }
    if nanoseconds < 1_000_000_000 { return decimal(nanoseconds, unit: 1_000_000, digits: 6) + "ms" }
    var text = ""
    var rest = nanoseconds
    let hours = rest / 3_600_000_000_000
    rest %= 3_600_000_000_000
    let minutes = rest / 60_000_000_000
    rest %= 60_000_000_000
    if hours > 0 { text += "\(hours)h" }
    if hours > 0 || minutes > 0 { text += "\(minutes)m" }
    return text + decimal(rest, unit: 1_000_000_000, digits: 9) + "s"
}

/// `value / unit` with up to `digits` fractional digits, trailing zeros trimmed.
private func decimal(_ value: UInt64, unit: UInt64, digits: Int) -> String {
    let whole = value / unit
    var fraction = String(value % unit)
    fraction = String(repeating: "0", count: digits - fraction.count) + fraction
    while fraction.hasSuffix("0") { fraction.removeLast() }
    return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
}
