import EngineInterface

/// Chooses each next token of one generation from the engine's logits, with Ollama's options.
///
/// Order of the steps, as in llama.cpp's default sampler chain (llama.cpp `common/common.h`
/// `common_params_sampling::samplers`: penalties, dry, top_n_sigma, top_k, typical_p, top_p,
/// min_p, xtc, temperature; `common_sampler_init` appends the draw), which is what Ollama's
/// llama.cpp-based runner runs. Ollama exposes no dry, top_n_sigma or xtc option, so those are
/// absent:
///
/// 1. repeat / presence / frequency penalties over the last `repeat_last_n` tokens;
/// 2. temperature <= 0: the arg-max, ties to the lower token id (greedy);
/// 3. top_k → typical_p → top_p → min_p, each on the probabilities at temperature 1 of the
///    tokens the previous step kept (so top_p's mass is measured among the top-k);
/// 4. temperature, softmax, and a draw from the seeded generator.
///
/// Ollama's newer Go runner (ollama `sample/samplers.go`) differs: top_k, then temperature, then
/// top_p and min_p on the tempered probabilities, and no typical_p. We follow llama.cpp.
///
/// One sampler belongs to one generation: it holds the random generator's state. It allocates
/// its buffers once; `sample` itself allocates nothing.
public struct Sampler: Sendable {
    public let options: SamplingOptions
    /// The seed in use: `options.seed`, or the one drawn from the system when that is -1, so a
    /// random run can be logged and reproduced.
    public let seed: UInt64
    private var generator: SeededGenerator
    private let penalty: RepetitionPenalty
    private var scratch: SamplerScratch

    /// - Parameters:
    ///   - vocabularySize: length of the logit vectors it will be given (buffers are sized for it).
    ///   - contextLength: the model's context, which `repeat_last_n = -1` refers to; without it,
    ///     -1 penalises every token of the history passed in.
    public init(options: SamplingOptions, vocabularySize: Int, contextLength: Int? = nil) {
        self.options = options
        seed = SeededGenerator.seed(forOllamaSeed: options.seed)
        generator = SeededGenerator(seed: seed)
        penalty = RepetitionPenalty(options: options, contextLength: contextLength)
        scratch = SamplerScratch(capacity: max(1, vocabularySize), needsTypicalOrder: options.typicalP < 1)
    }

    /// Picks the next token. `logits` are modified in place (penalties are applied to them).
    /// `history` is the sequence so far, prompt included, oldest first (llama.cpp's server feeds
    /// the prompt into the penalty window too); only its last `repeat_last_n` tokens are read.
    public mutating func sample(
        logits: UnsafeMutableBufferPointer<Float>,
        history: some RandomAccessCollection<TokenID>
    ) -> TokenID {
        precondition(!logits.isEmpty, "cannot sample from an empty vocabulary")
        if scratch.capacity < logits.count || !isKnownUniquelyReferenced(&scratch) {
            scratch = SamplerScratch(capacity: max(logits.count, scratch.capacity), needsTypicalOrder: options.typicalP < 1)
        }
        penalty.apply(to: logits, history: history, occurrences: scratch.occurrences)

        let vocabulary = UnsafeBufferPointer(logits)
        if options.isGreedy {
            TopSelection.select(1, of: vocabulary, into: scratch.candidates.baseAddress!)
            return scratch.candidates[0].id
        }
        var pool = CandidatePool(vocabulary: vocabulary, scratch: scratch)
        if options.topK > 0 && options.topK < vocabulary.count {
            pool.keepTopK(options.topK)
        }
        if options.typicalP < 1 {
            pool.keepLocallyTypical(mass: options.typicalP)
        }
        if options.topP < 1 {
            pool.keepTopP(mass: options.topP)
        }
        if options.minP > 0 {
            pool.keepMinP(ratio: options.minP)
        }
        return pool.draw(temperature: options.temperature, using: &generator)
    }

    public mutating func sample(logits: inout [Float], history: some RandomAccessCollection<TokenID>) -> TokenID {
        logits.withUnsafeMutableBufferPointer { sample(logits: $0, history: history) }
    }

    public mutating func sample(logits: inout Logits, history: some RandomAccessCollection<TokenID>) -> TokenID {
        sample(logits: &logits.values, history: history)
    }

    /// Without history: the penalties have nothing to act on.
    public mutating func sample(logits: inout [Float]) -> TokenID {
        sample(logits: &logits, history: EmptyCollection<TokenID>())
    }
}
