/// The split patterns as scanners. Each takes the current pieces (as end indices into the scalar
/// array) and cuts every piece further, never across a piece boundary: a position past the end of
/// the current piece looks like "nothing", exactly as in llama.cpp's custom splitters
/// (llama.cpp unicode.cpp). Matches and the unmatched text between them both become pieces.
enum PreTokenizerScanners {
    private static let apostrophe = Unicode.Scalar("'")
    private static let space = Unicode.Scalar(" ")
    private static let carriageReturn = Unicode.Scalar("\r")
    private static let lineFeed = Unicode.Scalar("\n")

    /// Collects piece ends, dropping empty pieces.
    private struct Cuts {
        var ends: [Int] = []
        var lastEnd: Int

        init(start: Int, capacity: Int) {
            lastEnd = start
            ends.reserveCapacity(capacity)
        }

        mutating func cut(at end: Int) {
            if end > lastEnd { ends.append(end) }
            lastEnd = end
        }
    }

    /// The view of one piece: classes and scalars inside it, "outside" beyond it.
    private struct Piece {
        let scalars: [Unicode.Scalar]
        let classes: [ScalarClass]
        let end: Int

        @inline(__always) func cls(_ index: Int) -> ScalarClass { index < end ? classes[index] : .outside }
        @inline(__always) func scalar(_ index: Int) -> Unicode.Scalar? { index < end ? scalars[index] : nil }

        /// Length of a contraction (`'s 't 'm 'd 're 've 'll`) starting at `pos`, or 0.
        func contractionLength(at pos: Int, caseInsensitive: Bool) -> Int {
            guard scalars[pos] == PreTokenizerScanners.apostrophe, pos + 1 < end else { return 0 }
            let next = folded(scalars[pos + 1], caseInsensitive)
            if next == "s" || next == "t" || next == "m" || next == "d" { return 2 }
            guard pos + 2 < end else { return 0 }
            let nextNext = folded(scalars[pos + 2], caseInsensitive)
            if (next == "r" && nextNext == "e") || (next == "v" && nextNext == "e") || (next == "l" && nextNext == "l") {
                return 3
            }
            return 0
        }

        /// Only ASCII capitals lower-case onto the contraction letters, so ASCII folding is exact.
        private func folded(_ scalar: Unicode.Scalar, _ caseInsensitive: Bool) -> Unicode.Scalar {
            guard caseInsensitive, (65...90).contains(scalar.value) else { return scalar }
            return Unicode.Scalar(scalar.value + 32)!
        }
    }

    /// Runs `nextCut` over every piece: given a position, it returns where the word starting
    /// there ends; every word becomes a piece of the result.
    private static func cutWords(
        _ scalars: [Unicode.Scalar], _ classes: [ScalarClass], pieceEnds: [Int],
        nextCut: (Piece, Int) -> Int
    ) -> [Int] {
        var cuts = Cuts(start: 0, capacity: scalars.count / 3 + pieceEnds.count)
        var start = 0
        for end in pieceEnds {
            let piece = Piece(scalars: scalars, classes: classes, end: end)
            var pos = start
            cuts.lastEnd = start
            while pos < end {
                pos = nextCut(piece, pos)
                cuts.cut(at: pos)
            }
            start = end
        }
        return cuts.ends
    }

    // MARK: GPT-2

    static func gpt2(_ scalars: [Unicode.Scalar], _ classes: [ScalarClass], pieceEnds: [Int]) -> [Int] {
        cutWords(scalars, classes, pieceEnds: pieceEnds) { piece, start in
            let contraction = piece.contractionLength(at: start, caseInsensitive: false)
            if contraction > 0 { return start + contraction }
            // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: the class after an optional space.
            let leadingSpace = piece.scalars[start] == space
            let runClass = leadingSpace ? piece.cls(start + 1) : piece.classes[start]
            if runClass == .letter || runClass == .number || runClass.contains(.other) {
                let wanted: ScalarClass = runClass.contains(.other) ? .other : runClass
                var pos = leadingSpace ? start + 1 : start
                while piece.cls(pos).contains(wanted) { pos += 1 }
                return pos
            }
            return whitespaceRunEnd(piece, from: start, stopAtLineBreaks: false)
        }
    }

    // MARK: Llama-3 and Qwen2

    static func llama3(
        _ scalars: [Unicode.Scalar], _ classes: [ScalarClass], pieceEnds: [Int], digitGroup: Int
    ) -> [Int] {
        cutWords(scalars, classes, pieceEnds: pieceEnds) { piece, start in
            let scalar = piece.scalars[start]
            let cls = piece.classes[start]
            let contraction = piece.contractionLength(at: start, caseInsensitive: true)
            if contraction > 0 { return start + contraction }
            // `[^\r\n\p{L}\p{N}]?\p{L}+`
            if scalar != carriageReturn, scalar != lineFeed, cls != .number,
               cls == .letter || piece.cls(start + 1) == .letter {
                var pos = start + 1
                while piece.cls(pos) == .letter { pos += 1 }
                return pos
            }
            // `\p{N}{1,digitGroup}`; the next group is the next word.
            if cls == .number {
                var pos = start
                while piece.cls(pos) == .number && pos - start < digitGroup { pos += 1 }
                return pos
            }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`; a space at the end of the piece also lands here and
            // is cut alone, as the whitespace rule would cut it.
            let leadingSpace = scalar == space
            let runClass = leadingSpace ? piece.cls(start + 1) : cls
            if runClass.contains(.other) || runClass == .outside {
                var pos = leadingSpace ? start + 1 : start
                while piece.cls(pos).contains(.other) { pos += 1 }
                while let next = piece.scalar(pos), next == carriageReturn || next == lineFeed { pos += 1 }
                return pos
            }
            return whitespaceRunEnd(piece, from: start, stopAtLineBreaks: true)
        }
    }

    /// `\s*[\r\n]+` (when `stopAtLineBreaks`), then `\s+(?!\S)`, then `\s+`, then one scalar.
    private static func whitespaceRunEnd(_ piece: Piece, from pos: Int, stopAtLineBreaks: Bool) -> Int {
        var count = 0
        var afterLastLineBreak = 0
        while piece.cls(pos + count) == .whitespace {
            if stopAtLineBreaks {
                let scalar = piece.scalars[pos + count]
                if scalar == carriageReturn || scalar == lineFeed { afterLastLineBreak = pos + count + 1 }
            }
            count += 1
        }
        if afterLastLineBreak > 0 { return afterLastLineBreak }
        // Leave the last space of a run to the word after it, unless the run ends the piece.
        if count > 1 && pos + count < piece.end { return pos + count - 1 }
        if count > 0 { return pos + count }
        return pos + 1
    }

    // MARK: Simple splits

    /// Every scalar that satisfies `matches` becomes its own piece (`\p{N}`).
    static func isolateEach(
        _ classes: [ScalarClass], pieceEnds: [Int], where matches: (ScalarClass) -> Bool
    ) -> [Int] {
        var cuts = Cuts(start: 0, capacity: pieceEnds.count * 2)
        var start = 0
        for end in pieceEnds {
            cuts.lastEnd = start
            for index in start..<end where matches(classes[index]) {
                cuts.cut(at: index)
                cuts.cut(at: index + 1)
            }
            cuts.cut(at: end)
            start = end
        }
        return cuts.ends
    }

    /// Every maximal run of scalars that satisfy `matches` becomes its own piece (`[…]+`).
    static func isolateRuns(
        _ classes: [ScalarClass], pieceEnds: [Int], where matches: (ScalarClass) -> Bool
    ) -> [Int] {
        var cuts = Cuts(start: 0, capacity: pieceEnds.count * 2)
        var start = 0
        for end in pieceEnds {
            cuts.lastEnd = start
            var index = start
            while index < end {
                guard matches(classes[index]) else {
                    index += 1
                    continue
                }
                cuts.cut(at: index)
                while index < end && matches(classes[index]) { index += 1 }
                cuts.cut(at: index)
            }
            cuts.cut(at: end)
            start = end
        }
        return cuts.ends
    }

    /// `[0-9][0-9][0-9]`, leftmost first, without overlap.
    static func isolateASCIIDigitTriples(_ scalars: [Unicode.Scalar], pieceEnds: [Int]) -> [Int] {
        var cuts = Cuts(start: 0, capacity: pieceEnds.count * 2)
        var start = 0
        func isDigit(_ scalar: Unicode.Scalar) -> Bool { (48...57).contains(scalar.value) }
        for end in pieceEnds {
            cuts.lastEnd = start
            var index = start
            while index < end {
                if index + 3 <= end, isDigit(scalars[index]), isDigit(scalars[index + 1]), isDigit(scalars[index + 2]) {
                    cuts.cut(at: index)
                    index += 3
                    cuts.cut(at: index)
                } else {
                    index += 1
                }
            }
            cuts.cut(at: end)
            start = end
        }
        return cuts.ends
    }
}
