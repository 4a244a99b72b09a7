/// How the engine evaluates a run of new tokens: chunks against prefill groups, or single tokens
/// against the decode group (axera.md §3.6).
public enum PrefillMode: String, Sendable, CaseIterable {
    /// P-token chunks against the smallest fitting prefill group; single tokens where none fits.
    case chunked
    /// One decode-group execute per token, as the oldest vendor runners did (axera.md §3.6); the
    /// fallback for packages without prefill groups or with a misbehaving one.
    case tokenByToken
}

/// The executes that evaluate `count` new tokens after `cached` ones.
public struct PrefillPlan: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        /// Tokens `offset ..< offset + count` of the run as one chunk of `group` after `history` rows.
        case chunk(group: LayerShapePlan.PrefillGroup, offset: Int, count: Int, history: Int)
        /// Token `offset` of the run through the decode group at absolute position `position`.
        case single(offset: Int, position: Int)
    }

    public let steps: [Step]

    public init(cached: Int, count: Int, shapes: LayerShapePlan, mode: PrefillMode) {
        var steps: [Step] = []
        var done = 0
        // A single token is a decode step: one execute per layer either way, and far less work.
        let chunked = mode == .chunked && count > 1
        while done < count {
            let position = cached + done
            if chunked, let group = shapes.prefillGroup(afterCached: position) {
                let n = min(group.chunk, count - done)
                steps.append(.chunk(group: group, offset: done, count: n, history: position))
                done += n
            } else {
                steps.append(.single(offset: done, position: position))
                done += 1
            }
        }
        self.steps = steps
    }
}
