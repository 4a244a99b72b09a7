/// Buffers a `Sampler` reuses on every call, sized once for the vocabulary, so that a sample
/// call allocates nothing. A sampler copies this on write like an array would: the buffers
/// carry no state between calls (the occurrence counters are always zero again on return).
final class SamplerScratch: @unchecked Sendable {
    let capacity: Int
    /// Tokens still in the running; the top-k selection heap works in here too.
    let candidates: UnsafeMutableBufferPointer<Candidate>
    /// Unnormalised softmax weights, parallel to `candidates`.
    let weights: UnsafeMutableBufferPointer<Float>
    /// Per-token occurrence counts for the repetition penalties; all zero between calls.
    let occurrences: UnsafeMutableBufferPointer<Int32>
    /// Candidates ordered by typicality; allocated only when typical sampling is enabled.
    let scored: UnsafeMutableBufferPointer<ScoredCandidate>

    init(capacity: Int, needsTypicalOrder: Bool) {
        self.capacity = capacity
        candidates = .allocate(capacity: capacity)
        weights = .allocate(capacity: capacity)
        occurrences = .allocate(capacity: capacity)
        occurrences.initialize(repeating: 0)
        scored = .allocate(capacity: needsTypicalOrder ? capacity : 0)
    }

    deinit {
        candidates.deallocate()
        weights.deallocate()
        occurrences.deallocate()
        scored.deallocate()
    }
}

/// A candidate with its distance from the expected surprise, for locally typical sampling.
struct ScoredCandidate {
    var score: Float
    var weight: Float
    var candidate: Candidate
}
