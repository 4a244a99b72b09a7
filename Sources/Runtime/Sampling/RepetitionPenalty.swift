import EngineInterface

/// The repeat, presence and frequency penalties over a window of recent tokens, with
/// llama.cpp's arithmetic (llama.cpp `llama_sampler_penalties_apply`):
/// a seen token's logit is divided by `repeat` when positive and multiplied when not, then
/// `count * frequency + presence` is subtracted, where `count` is its occurrences in the window.
struct RepetitionPenalty: Sendable, Equatable {
    var repeatPenalty: Float
    var presencePenalty: Float
    var frequencyPenalty: Float
    /// Tokens looked at, counted back from the newest; `nil` means every token given.
    var window: Int?

    init(options: SamplingOptions, contextLength: Int?) {
        repeatPenalty = options.repeatPenalty
        presencePenalty = options.presencePenalty
        frequencyPenalty = options.frequencyPenalty
        switch options.repeatLastN {
        // -1 is the whole context (ollama docs/modelfile.mdx); without a known context, all history.
        case -1: window = contextLength
        // llama.cpp clamps other negative windows to 0, which disables the penalties.
        case ..<0: window = 0
        default: window = options.repeatLastN
        }
    }

    /// No penalty can change a logit: skip the pass, as llama.cpp does.
    var isNeutral: Bool {
        window == 0 || (repeatPenalty == 1 && presencePenalty == 0 && frequencyPenalty == 0)
    }

    /// Penalises `logits` in place for the tokens at the end of `history`. `occurrences` is a
    /// zeroed counter per vocabulary entry, and is zeroed again on return, so no call allocates.
    func apply(
        to logits: UnsafeMutableBufferPointer<Float>,
        history: some RandomAccessCollection<TokenID>,
        occurrences: UnsafeMutableBufferPointer<Int32>
    ) {
        guard !isNeutral else { return }
        let recent = window.map { history.suffix($0) } ?? history[...]
        let vocabulary = logits.count
        for token in recent where token >= 0 && Int(token) < vocabulary {
            occurrences[Int(token)] += 1
        }
        for token in recent where token >= 0 && Int(token) < vocabulary {
            let index = Int(token)
            let count = occurrences[index]
            // The first visit of a token applies its penalty and clears its counter, so
            // repeated tokens are penalised once with their full count.
            guard count > 0 else { continue }
            occurrences[index] = 0
            var logit = logits[index]
            if logit <= 0 {
                logit *= repeatPenalty
            } else {
                logit /= repeatPenalty
            }
            logit -= Float(count) * frequencyPenalty + presencePenalty
            logits[index] = logit
        }
    }
}
