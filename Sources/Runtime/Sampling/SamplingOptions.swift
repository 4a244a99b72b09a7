/// The options that shape how the next token is chosen and when generation ends, with Ollama's
/// names (as `CodingKeys`) and Ollama's defaults (`api.DefaultOptions()`, ollama `api/types.go`).
///
/// `Sampler` reads the token-choice options; `numPredict` is for the generation loop and `stop`
/// for `StopSequenceMatcher`. Load-time options (`num_ctx`, `num_keep`, `num_batch`, …) are not
/// here: they belong to the model instance, not to one generation.
public struct SamplingOptions: Sendable, Equatable, Hashable {
    /// Divides the logits before the draw; `<= 0` means greedy (always the most likely token).
    public var temperature: Float
    /// Keep only the `topK` most likely tokens; `<= 0` keeps the whole vocabulary.
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probability reaches `topP`; `>= 1` disables.
    public var topP: Float
    /// Drop tokens whose probability is below `minP` times the best token's; `<= 0` disables.
    public var minP: Float
    /// Locally typical sampling mass; `>= 1` disables.
    public var typicalP: Float
    /// How many recent tokens the repetition penalties look at: 0 disables, -1 means the whole
    /// context (ollama `docs/modelfile.mdx`).
    public var repeatLastN: Int
    /// Divides positive and multiplies negative logits of recently seen tokens; 1 disables.
    public var repeatPenalty: Float
    /// Subtracted once from the logit of every token seen in the window.
    public var presencePenalty: Float
    /// Subtracted from a token's logit once per occurrence in the window.
    public var frequencyPenalty: Float
    /// Seed of the draw; -1 draws a fresh seed from the system.
    public var seed: Int
    /// Most tokens to generate; -1 means no limit beyond the context.
    public var numPredict: Int
    /// Generation ends when the text contains any of these; the stop text is never emitted.
    public var stop: [String]

    /// Every parameter defaults to Ollama's default, so `SamplingOptions()` is what a request
    /// without `options` gets.
    public init(
        temperature: Float = 0.8,
        topK: Int = 40,
        topP: Float = 0.9,
        minP: Float = 0.0,
        typicalP: Float = 1.0,
        repeatLastN: Int = 64,
        repeatPenalty: Float = 1.0,
        presencePenalty: Float = 0.0,
        frequencyPenalty: Float = 0.0,
        seed: Int = -1,
        numPredict: Int = -1,
        stop: [String] = []
    ) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.typicalP = typicalP
        self.repeatLastN = repeatLastN
        self.repeatPenalty = repeatPenalty
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.seed = seed
        self.numPredict = numPredict
        self.stop = stop
    }

    /// Greedy decoding: the sampler takes the arg-max and never touches its random generator.
    public var isGreedy: Bool { temperature <= 0 }

    /// The seed value that asks for a random seed (ollama `api.DefaultOptions`: `Seed: -1`).
    public static let randomSeed = -1
}

extension SamplingOptions: Codable {
    enum CodingKeys: String, CodingKey {
        case temperature
        case topK = "top_k"
        case topP = "top_p"
        case minP = "min_p"
        case typicalP = "typical_p"
        case repeatLastN = "repeat_last_n"
        case repeatPenalty = "repeat_penalty"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case seed
        case numPredict = "num_predict"
        case stop
    }

    /// Missing keys keep Ollama's defaults, as a partial `options` object does in Ollama.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SamplingOptions()
        temperature = try c.decodeIfPresent(Float.self, forKey: .temperature) ?? d.temperature
        topK = try c.decodeIfPresent(Int.self, forKey: .topK) ?? d.topK
        topP = try c.decodeIfPresent(Float.self, forKey: .topP) ?? d.topP
        minP = try c.decodeIfPresent(Float.self, forKey: .minP) ?? d.minP
        typicalP = try c.decodeIfPresent(Float.self, forKey: .typicalP) ?? d.typicalP
        repeatLastN = try c.decodeIfPresent(Int.self, forKey: .repeatLastN) ?? d.repeatLastN
        repeatPenalty = try c.decodeIfPresent(Float.self, forKey: .repeatPenalty) ?? d.repeatPenalty
        presencePenalty = try c.decodeIfPresent(Float.self, forKey: .presencePenalty) ?? d.presencePenalty
        frequencyPenalty = try c.decodeIfPresent(Float.self, forKey: .frequencyPenalty) ?? d.frequencyPenalty
        seed = try c.decodeIfPresent(Int.self, forKey: .seed) ?? d.seed
        numPredict = try c.decodeIfPresent(Int.self, forKey: .numPredict) ?? d.numPredict
        stop = try c.decodeIfPresent([String].self, forKey: .stop) ?? d.stop
    }
}
