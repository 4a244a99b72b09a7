import Runtime

/// The statistics block `ollama run --verbose` prints after an answer.
struct VerboseTimings {
    let metrics: GenerationMetrics

    init(_ metrics: GenerationMetrics) {
        self.metrics = metrics
    }

    var text: String {
        func rate(_ count: Int, _ nanoseconds: UInt64) -> String {
            guard nanoseconds > 0 else { return "0.00" }
            return formatFixed(Double(count) / (Double(nanoseconds) / 1e9), digits: 2)
        }
        return """
        total duration:       \(formatGoDuration(nanoseconds: metrics.totalDuration))
        load duration:        \(formatGoDuration(nanoseconds: metrics.loadDuration))
        prompt eval count:    \(metrics.promptEvalCount) token(s)
        prompt eval duration: \(formatGoDuration(nanoseconds: metrics.promptEvalDuration))
        prompt eval rate:     \(rate(metrics.promptEvalCount, metrics.promptEvalDuration)) tokens/s
        eval count:           \(metrics.evalCount) token(s)
        eval duration:        \(formatGoDuration(nanoseconds: metrics.evalDuration))
        eval rate:            \(rate(metrics.evalCount, metrics.evalDuration)) tokens/s

        """
    }
}

/// `value` with exactly `digits` decimals (FoundationEssentials has no `String(format:)`).
func formatFixed(_ value: Double, digits: Int) -> String {
    var scale = 1.0
    for _ in 0 ..< digits { scale *= 10 }
    let scaled = (value * scale).rounded()
    let whole = Int(scaled / scale)
    var fraction = String(Int(abs(scaled) - abs(Double(whole)) * scale))
    while fraction.count < digits { fraction = "0" + fraction }
    return digits == 0 ? "\(whole)" : "\(whole).\(fraction)"
}
