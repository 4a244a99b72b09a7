import EngineInterface

/// A token still in the running for the draw, with its (penalised) logit.
struct Candidate: Sendable, Equatable {
    var logit: Float
    var id: TokenID

    /// The one order every step agrees on: higher logit first, and on a tie the lower token id,
    /// so that the result never depends on which sorting or selection algorithm ran.
    @inline(__always)
    func ranksAbove(_ other: Candidate) -> Bool {
        logit > other.logit || (logit == other.logit && id < other.id)
    }
}

/// Finds the best candidates without sorting the vocabulary: one pass keeps the `m` best seen so
/// far in a min-heap whose root is the bar to beat. Most logits are below the bar, so the pass is
/// mostly a vectorised comparison, and only the few that beat it touch the heap.
enum TopSelection {
    /// Writes the `m` best entries of `logits` (`1 <= m <= logits.count`) to `output[0..<m]` in
    /// rank order. NaN logits are treated as -inf.
    static func select(_ m: Int, of logits: UnsafeBufferPointer<Float>, into output: UnsafeMutablePointer<Candidate>) {
        precondition(m >= 1 && m <= logits.count, "selection size \(m) outside 1...\(logits.count)")
        let base = logits.baseAddress!
        let n = logits.count
        for i in 0..<m {
            let value = base[i]
            output[i] = Candidate(logit: value.isNaN ? -.infinity : value, id: TokenID(i))
        }
        let heap = UnsafeMutableBufferPointer(start: output, count: m)
        for i in stride(from: m / 2 - 1, through: 0, by: -1) {
            siftDown(heap, from: i, count: m)
        }
        var bar = heap[0].logit
        var i = m
        // Thirty-two logits per check: only a block holding one above the bar is looked at
        // one by one. A later token with an equal logit ranks lower (higher id), so a strict
        // comparison is exact.
        let raw = UnsafeRawPointer(base)
        while i + 32 <= n {
            if VectorCheck.anyGreater(raw + i * MemoryLayout<Float>.stride, than: bar) {
                for j in i..<(i + 32) {
                    offer(base[j], id: j, heap: heap, bar: &bar)
                }
            }
            i += 32
        }
        while i < n {
            offer(base[i], id: i, heap: heap, bar: &bar)
            i += 1
        }
        sortHeapDescending(heap)
    }

    /// Sorts `candidates` into rank order.
    static func sort(_ candidates: UnsafeMutableBufferPointer<Candidate>) {
        var candidates = candidates
        candidates.sort { $0.ranksAbove($1) }
    }

    @inline(__always)
    private static func offer(_ value: Float, id: Int, heap: UnsafeMutableBufferPointer<Candidate>, bar: inout Float) {
        guard value > bar else { return }
        heap[0] = Candidate(logit: value, id: TokenID(id))
        siftDown(heap, from: 0, count: heap.count)
        bar = heap[0].logit
    }

    /// Min-heap by rank: the root is the worst of the kept candidates.
    @inline(__always)
    private static func siftDown(_ heap: UnsafeMutableBufferPointer<Candidate>, from start: Int, count: Int) {
        var parent = start
        let item = heap[parent]
        while true {
            var child = 2 * parent + 1
            if child >= count { break }
            if child + 1 < count && heap[child].ranksAbove(heap[child + 1]) {
                child += 1
            }
            guard item.ranksAbove(heap[child]) else { break }
            heap[parent] = heap[child]
            parent = child
        }
        heap[parent] = item
    }

    /// Heapsort on the min-heap: moving the worst to the back each time leaves the best in front.
    private static func sortHeapDescending(_ heap: UnsafeMutableBufferPointer<Candidate>) {
        var end = heap.count - 1
        while end > 0 {
            heap.swapAt(0, end)
            siftDown(heap, from: 0, count: end)
            end -= 1
        }
    }
}
