/// Finds stop strings in generated text that arrives piece by piece, and says how much of it is
/// safe to show now.
///
/// Text that could be the start of a stop string is held back until the next pieces settle it;
/// the stop string and anything after it are never emitted; a stop string split over several
/// pieces is still found. Matching is on Unicode scalars: never inside a multi-byte character,
/// but not on grapheme clusters either, because a cluster can still grow when the next piece
/// arrives, and Ollama compares plain bytes (ollama `runner` `findStop`/`containsStopSuffix`).
public struct StopSequenceMatcher: Sendable {
    /// What one piece of text produced.
    public struct Step: Sendable, Equatable {
        /// Text to emit now (possibly empty).
        public var text: String
        /// A stop string was found: generation should end, and `text` is the last of the output.
        public var stopped: Bool
        /// The stop string that ended the generation.
        public var stopSequence: String?

        public init(text: String, stopped: Bool = false, stopSequence: String? = nil) {
            self.text = text
            self.stopped = stopped
            self.stopSequence = stopSequence
        }
    }

    private let stops: [[Unicode.Scalar]]
    private let stopStrings: [String]
    /// Text received but not yet emitted: always a possible beginning of a stop string.
    private var pending: [Unicode.Scalar] = []
    public private(set) var isStopped = false

    /// Empty stop strings are ignored: they would end every generation before its first token,
    /// which no client means.
    public init(stops: [String]) {
        stopStrings = stops.filter { !$0.isEmpty }
        self.stops = stopStrings.map { Array($0.unicodeScalars) }
    }

    /// The text held back because it might begin a stop string.
    public var heldBack: String { Self.string(pending[...]) }

    /// Takes the next piece of generated text.
    public mutating func feed(_ piece: String) -> Step {
        guard !isStopped else { return Step(text: "", stopped: true) }
        guard !stops.isEmpty else { return Step(text: piece) }
        pending.append(contentsOf: piece.unicodeScalars)

        if let (start, stop) = earliestMatch() {
            let text = Self.string(pending[..<start])
            pending.removeAll()
            isStopped = true
            return Step(text: text, stopped: true, stopSequence: stopStrings[stop])
        }
        let held = longestSuffixStartingAStop()
        let text = Self.string(pending[..<(pending.count - held)])
        pending.removeFirst(pending.count - held)
        return Step(text: text)
    }

    /// Ends the stream (end of sequence, token limit): returns the held-back text, which can no
    /// longer become a stop string. Empty after a stop.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return isStopped ? "" : Self.string(pending[...])
    }

    /// The first position where any stop string occurs, and which one (the first listed wins a tie).
    private func earliestMatch() -> (start: Int, stop: Int)? {
        for start in pending.indices {
            for (index, stop) in stops.enumerated() where pending.count - start >= stop.count {
                if pending[start..<(start + stop.count)].elementsEqual(stop) {
                    return (start, index)
                }
            }
        }
        return nil
    }

    /// The length of the longest end of `pending` that is a proper beginning of a stop string.
    private func longestSuffixStartingAStop() -> Int {
        let longest = min(pending.count, (stops.map(\.count).max() ?? 1) - 1)
        var length = longest
        while length > 0 {
            let suffix = pending[(pending.count - length)...]
            if stops.contains(where: { $0.count > length && $0.starts(with: suffix) }) {
                return length
            }
            length -= 1
        }
        return 0
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var text = String()
        text.unicodeScalars.append(contentsOf: scalars)
        return text
    }
}
