import EngineInterface

/// The tokens still in the running during one sample call, and the truncation steps that narrow
/// them down. Until a step needs them listed, the pool is "the whole vocabulary" and works on the
/// raw logits directly, so that disabled steps cost nothing and enabled ones avoid a full sort.
struct CandidatePool {
    private let vocabulary: UnsafeBufferPointer<Float>
    private let candidates: UnsafeMutablePointer<Candidate>
    private let weights: UnsafeMutablePointer<Float>
    private let scored: UnsafeMutablePointer<ScoredCandidate>?
    /// Listed candidates in `candidates[0..<count]`; meaningless while `isWholeVocabulary`.
    private(set) var count = 0
    private(set) var isWholeVocabulary = true
    /// `candidates[0..<count]` are in rank order (best first).
    private(set) var isSorted = false

    init(vocabulary: UnsafeBufferPointer<Float>, scratch: SamplerScratch) {
        precondition(scratch.capacity >= vocabulary.count)
        self.vocabulary = vocabulary
        candidates = scratch.candidates.baseAddress!
        weights = scratch.weights.baseAddress!
        scored = scratch.scored.baseAddress
    }

    /// The listed candidates, best first when `isSorted`.
    var listed: UnsafeBufferPointer<Candidate> {
        UnsafeBufferPointer(start: candidates, count: isWholeVocabulary ? 0 : count)
    }

    // MARK: - Truncation steps

    /// Keeps the `k` highest logits (llama.cpp `llama_sampler_top_k_impl`).
    mutating func keepTopK(_ k: Int) {
        let k = min(k, isWholeVocabulary ? vocabulary.count : count)
        guard k > 0 else { return }
        if isWholeVocabulary {
            TopSelection.select(k, of: vocabulary, into: candidates)
        } else {
            sortIfNeeded()
        }
        count = k
        isWholeVocabulary = false
        isSorted = true
    }

    /// Locally typical sampling (Meister et al. 2022; llama.cpp `llama_sampler_typical_apply`):
    /// orders tokens by how far their surprise -log p is from the entropy and keeps the closest
    /// ones until their mass exceeds `mass`. Since -log p_i - H = Σ p_j l_j - l_i for logits l,
    /// the distance is |l_i - E[l]| and no logarithm is needed.
    mutating func keepLocallyTypical(mass: Float) {
        guard let scored else { preconditionFailure("typical sampling needs its scratch buffer") }
        listAll()
        guard count > 1 else { return }
        let maximum = maxListedLogit()
        let total = fillWeights(shift: maximum, divisor: 1)
        guard total > 0, total.isFinite else { return }
        var expected = 0.0
        for i in 0..<count where weights[i] > 0 {
            expected += Double(weights[i]) * Double(candidates[i].logit - maximum)
        }
        let mean = Float(expected / total)
        for i in 0..<count {
            scored[i] = ScoredCandidate(
                score: abs((candidates[i].logit - maximum) - mean), weight: weights[i], candidate: candidates[i])
        }
        var order = UnsafeMutableBufferPointer(start: scored, count: count)
        order.sort { $0.score < $1.score || ($0.score == $1.score && $0.candidate.ranksAbove($1.candidate)) }
        // llama.cpp stops at the first prefix whose mass is strictly greater than p.
        let target = Double(mass) * total
        var cumulative = 0.0
        var kept = count
        for i in 0..<count {
            cumulative += Double(order[i].weight)
            if cumulative > target {
                kept = i + 1
                break
            }
        }
        for i in 0..<kept {
            candidates[i] = order[i].candidate
        }
        count = kept
        isSorted = false
    }

    /// Nucleus sampling (llama.cpp `llama_sampler_top_p_apply`): keeps the fewest best tokens whose
    /// probability sum reaches `mass`.
    mutating func keepTopP(mass: Float) {
        if isWholeVocabulary {
            keepTopPOfVocabulary(mass: mass)
            return
        }
        sortIfNeeded()
        let total = fillWeights(shift: candidates[0].logit, divisor: 1)
        guard total > 0, total.isFinite else { return }
        if let kept = prefixReaching(mass: mass, total: total, within: count) {
            count = kept
        }
    }

    /// Drops tokens whose probability is below `ratio` times the best one's (llama.cpp
    /// `llama_sampler_min_p_apply`); the best token always stays.
    mutating func keepMinP(ratio: Float) {
        if isWholeVocabulary {
            keepMinPOfVocabulary(ratio: ratio)
            return
        }
        guard count > 0 else { return }
        let maximum = isSorted ? candidates[0].logit : maxListedLogit()
        var kept = 0
        for i in 0..<count where PortableExp.exp(candidates[i].logit - maximum) >= ratio {
            candidates[kept] = candidates[i]
            kept += 1
        }
        if kept == 0 {
            keepTopK(1)
        } else {
            count = kept
        }
    }

    // MARK: - Draw

    /// Scales by `1 / temperature`, turns logits into probabilities and draws one token.
    mutating func draw(temperature: Float, using generator: inout SeededGenerator) -> TokenID {
        let unit = generator.nextUnitInterval()
        if isWholeVocabulary {
            let maximum = LogitScan.maximum(vocabulary)
            LogitScan.exponentials(vocabulary, shift: maximum, divisor: temperature, into: weights)
            if let index = WeightedDraw.pick(UnsafeBufferPointer(start: weights, count: vocabulary.count), unit: unit) {
                return TokenID(index)
            }
            // Nothing has a weight (every logit -inf or NaN): the best-ranked token.
            keepTopK(1)
            return candidates[0].id
        }
        precondition(count > 0)
        let maximum = isSorted ? candidates[0].logit : maxListedLogit()
        fillWeights(shift: maximum, divisor: temperature)
        if let index = WeightedDraw.pick(UnsafeBufferPointer(start: weights, count: count), unit: unit) {
            return candidates[index].id
        }
        return bestListed().id
    }

    // MARK: - Whole-vocabulary variants

    /// Top-p without a top-k before it: the softmax denominator comes from one vectorised pass,
    /// then ever larger best-first selections until one reaches the mass. Sorting 150k tokens
    /// takes milliseconds; the nucleus is usually a few hundred.
    private mutating func keepTopPOfVocabulary(mass: Float) {
        let n = vocabulary.count
        let maximum = LogitScan.maximum(vocabulary)
        let total = Double(LogitScan.sumOfExponentials(vocabulary, maximum: maximum))
        guard total > 0, total.isFinite else { return }
        var attempt = min(n, 64)
        while true {
            TopSelection.select(attempt, of: vocabulary, into: candidates)
            count = attempt
            isWholeVocabulary = false
            isSorted = true
            fillWeights(shift: maximum, divisor: 1)
            if let kept = prefixReaching(mass: mass, total: total, within: attempt) {
                count = kept
                return
            }
            if attempt == n { return }
            attempt = min(n, attempt * 8)
        }
    }

    /// Min-p without a truncation before it: one vectorised filtering pass over the logits.
    private mutating func keepMinPOfVocabulary(ratio: Float) {
        let n = vocabulary.count
        let maximum = LogitScan.maximum(vocabulary)
        let base = UnsafeRawPointer(vocabulary.baseAddress!)
        let shift = SIMD8<Float>(repeating: maximum)
        let bar = SIMD8<Float>(repeating: ratio)
        var kept = 0
        var i = 0
        while i + 8 <= n {
            let chunk = base.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let ratios = PortableExp.exp(chunk - shift)
            if VectorCheck.anyGreaterOrEqual(ratios, to: bar) {
                for lane in 0..<8 where ratios[lane] >= ratio {
                    candidates[kept] = Candidate(logit: chunk[lane], id: TokenID(i + lane))
                    kept += 1
                }
            }
            i += 8
        }
        while i < n {
            if PortableExp.exp(vocabulary[i] - maximum) >= ratio {
                candidates[kept] = Candidate(logit: vocabulary[i], id: TokenID(i))
                kept += 1
            }
            i += 1
        }
        isWholeVocabulary = false
        if kept == 0 {
            // Every logit NaN or -inf, or a ratio above 1: keep the best-ranked token.
            TopSelection.select(1, of: vocabulary, into: candidates)
            count = 1
            isSorted = true
        } else {
            count = kept
            isSorted = kept == 1
        }
    }

    // MARK: - Helpers

    /// Lists every token of the vocabulary (NaN logits become -inf), in id order.
    private mutating func listAll() {
        guard isWholeVocabulary else { return }
        for i in 0..<vocabulary.count {
            let value = vocabulary[i]
            candidates[i] = Candidate(logit: value.isNaN ? -.infinity : value, id: TokenID(i))
        }
        count = vocabulary.count
        isWholeVocabulary = false
        isSorted = false
    }

    private mutating func sortIfNeeded() {
        guard !isSorted else { return }
        TopSelection.sort(UnsafeMutableBufferPointer(start: candidates, count: count))
        isSorted = true
    }

    /// Length of the shortest prefix of the first `limit` (sorted) candidates whose weights sum
    /// to at least `mass * total`; `nil` when even all `limit` fall short.
    private func prefixReaching(mass: Float, total: Double, within limit: Int) -> Int? {
        let target = Double(mass) * total
        var cumulative = 0.0
        for i in 0..<limit {
            cumulative += Double(weights[i])
            if cumulative >= target {
                return i + 1
            }
        }
        return nil
    }

    private func maxListedLogit() -> Float {
        var maximum = -Float.infinity
        for i in 0..<count where candidates[i].logit > maximum {
            maximum = candidates[i].logit
        }
        return maximum
    }

    private func bestListed() -> Candidate {
        var best = candidates[0]
        for i in 1..<max(1, count) where candidates[i].ranksAbove(best) {
            best = candidates[i]
        }
        return best
    }

    /// weights[i] = e^((logit_i - shift) / divisor) for the listed candidates, eight at a time;
    /// returns their sum, added in order in double precision so that it is reproducible.
    @discardableResult
    private func fillWeights(shift: Float, divisor: Float) -> Double {
        let shiftVector = SIMD8<Float>(repeating: shift)
        let divisorVector = SIMD8<Float>(repeating: divisor)
        var i = 0
        while i < count {
            var lanes = SIMD8<Float>(repeating: -.infinity)
            let width = min(8, count - i)
            for lane in 0..<width {
                lanes[lane] = candidates[i + lane].logit
            }
            var exponentials = PortableExp.exp((lanes - shiftVector) / divisorVector)
            exponentials.replace(with: 0, where: exponentials .!= exponentials)
            for lane in 0..<width {
                weights[i + lane] = exponentials[lane]
            }
            i += 8
        }
        var total = 0.0
        for i in 0..<count {
            total += Double(weights[i])
        }
        return total
    }
}
