/// Merges the bytes of one word by rank: the lowest-ranked adjacent pair first, the leftmost among
/// equal ranks (llama.cpp llama-vocab). Symbols form a linked list over the word's bytes and the
/// candidate pairs sit in a binary heap; a popped pair whose sides changed since it was queued is
/// skipped. Reused across words to keep its buffers.
struct BPEWordEncoder {
    private struct Symbol {
        var piece: Int32
        var start: Int32
        var length: Int32
        var previous: Int32
        var next: Int32
    }

    private struct Candidate {
        let rank: Int32
        let left: Int32
        let right: Int32
        let leftPiece: Int32
        let rightPiece: Int32
        let result: Int32

        @inline(__always) func comesBefore(_ other: Candidate) -> Bool {
            rank < other.rank || (rank == other.rank && left < other.left)
        }
    }

    private var symbols: [Symbol] = []
    private var heap: [Candidate] = []

    /// Appends the token ids of `word` (raw UTF-8 bytes) to `output`.
    mutating func encode(_ word: ArraySlice<UInt8>, table: BPEMergeTable, output: inout [Int32]) {
        symbols.removeAll(keepingCapacity: true)
        heap.removeAll(keepingCapacity: true)
        let base = word.startIndex
        for (offset, byte) in word.enumerated() {
            symbols.append(Symbol(
                piece: table.singleBytePiece[Int(byte)], start: Int32(offset), length: 1,
                previous: Int32(offset - 1), next: offset + 1 == word.count ? -1 : Int32(offset + 1)))
        }
        for index in symbols.indices.dropFirst() {
            queuePair(Int32(index - 1), Int32(index), table)
        }

        while let candidate = popFirst() {
            let left = Int(candidate.left), right = Int(candidate.right)
            guard symbols[left].length > 0, symbols[right].length > 0,
                  symbols[left].piece == candidate.leftPiece, symbols[right].piece == candidate.rightPiece
            else { continue }
            symbols[left].piece = candidate.result
            symbols[left].length += symbols[right].length
            symbols[right].length = 0
            symbols[left].next = symbols[right].next
            if symbols[right].next >= 0 { symbols[Int(symbols[right].next)].previous = candidate.left }
            queuePair(symbols[left].previous, candidate.left, table)
            queuePair(candidate.left, symbols[left].next, table)
        }

        var index: Int32 = symbols.isEmpty ? -1 : 0
        while index >= 0 {
            let symbol = symbols[Int(index)]
            if table.isToken(symbol.piece) {
                output.append(symbol.piece)
            } else {
                appendFallback(word[(base + Int(symbol.start))..<(base + Int(symbol.start + symbol.length))], table, &output)
            }
            index = symbol.next
        }
    }

    /// A merged piece that is not a token: llama.cpp looks up each byte of its byte-level text on
    /// its own and drops the bytes that are not tokens.
    private func appendFallback(_ bytes: ArraySlice<UInt8>, _ table: BPEMergeTable, _ output: inout [Int32]) {
        for byte in bytes {
            for encoded in String(ByteLevelAlphabet.scalarForByte[Int(byte)]).utf8 {
                if let token = table.tokenWithSingleByteText[Int(encoded)] { output.append(token) }
            }
        }
    }

    private mutating func queuePair(_ left: Int32, _ right: Int32, _ table: BPEMergeTable) {
        guard left >= 0, right >= 0 else { return }
        let leftPiece = symbols[Int(left)].piece, rightPiece = symbols[Int(right)].piece
        guard let merge = table.merge(leftPiece, rightPiece) else { return }
        push(Candidate(rank: merge.rank, left: left, right: right,
                       leftPiece: leftPiece, rightPiece: rightPiece, result: merge.result))
    }

    private mutating func push(_ candidate: Candidate) {
        heap.append(candidate)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].comesBefore(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popFirst() -> Candidate? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var best = parent
                if left < heap.count && heap[left].comesBefore(heap[best]) { best = left }
                if right < heap.count && heap[right].comesBefore(heap[best]) { best = right }
                if best == parent { break }
                heap.swapAt(parent, best)
                parent = best
            }
        }
        return first
    }
}
