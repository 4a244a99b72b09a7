/// Timings and counts of a finished generation; durations in nanoseconds. Every field is
/// omitted when zero, as Go's `omitempty` does (ollama `api.Metrics`).
public struct Metrics: Sendable, Equatable {
    public var totalDuration: Int64 = 0
    public var loadDuration: Int64 = 0
    public var promptEvalCount = 0
    public var promptEvalDuration: Int64 = 0
    public var evalCount = 0
    public var evalDuration: Int64 = 0

    public init(totalDuration: Int64 = 0, loadDuration: Int64 = 0, promptEvalCount: Int = 0,
                promptEvalDuration: Int64 = 0, evalCount: Int = 0, evalDuration: Int64 = 0) {
        self.totalDuration = totalDuration
        self.loadDuration = loadDuration
        self.promptEvalCount = promptEvalCount
        self.promptEvalDuration = promptEvalDuration
        self.evalCount = evalCount
        self.evalDuration = evalDuration
    }

    enum CodingKeys: String, CodingKey {
        case totalDuration = "total_duration"
        case loadDuration = "load_duration"
        case promptEvalCount = "prompt_eval_count"
        case promptEvalDuration = "prompt_eval_duration"
        case evalCount = "eval_count"
        case evalDuration = "eval_duration"
    }

    /// Reads the metric fields from the response object they are inlined into.
    init(fromResponse decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        totalDuration = try c.decodeIfPresent(Int64.self, forKey: .totalDuration) ?? 0
        loadDuration = try c.decodeIfPresent(Int64.self, forKey: .loadDuration) ?? 0
        promptEvalCount = try c.decodeIfPresent(Int.self, forKey: .promptEvalCount) ?? 0
        promptEvalDuration = try c.decodeIfPresent(Int64.self, forKey: .promptEvalDuration) ?? 0
        evalCount = try c.decodeIfPresent(Int.self, forKey: .evalCount) ?? 0
        evalDuration = try c.decodeIfPresent(Int64.self, forKey: .evalDuration) ?? 0
    }

    /// Writes the non-zero fields into the enclosing response object.
    func encodeInline(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if totalDuration != 0 { try c.encode(totalDuration, forKey: .totalDuration) }
        if loadDuration != 0 { try c.encode(loadDuration, forKey: .loadDuration) }
        if promptEvalCount != 0 { try c.encode(promptEvalCount, forKey: .promptEvalCount) }
        if promptEvalDuration != 0 { try c.encode(promptEvalDuration, forKey: .promptEvalDuration) }
        if evalCount != 0 { try c.encode(evalCount, forKey: .evalCount) }
        if evalDuration != 0 { try c.encode(evalDuration, forKey: .evalDuration) }
    }
}
