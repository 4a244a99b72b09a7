import CCPUKernels
import Foundation
import Testing

/// The grouped-query attention kernel against a double-precision softmax(q·K / √d)·V, whole
/// and split into parts over the slots the way decode splits one token across threads.
@Suite struct AttentionKernelTests {
    /// Cache rows hold every KV head side by side, as the engine's cache does.
    struct Case {
        let group: Int, headDim: Int, kvHeads: Int, slots: Int
        var slotStride: Int { kvHeads * headDim }
        var queries: [Float]
        let keys: [Float], values: [Float]

        init(group: Int, headDim: Int, kvHeads: Int, slots: Int, seed: UInt64) {
            self.group = group
            self.headDim = headDim
            self.kvHeads = kvHeads
            self.slots = slots
            var random = SeededRandom(seed: seed)
            queries = random.floats(group * headDim, in: -2...2)
            keys = random.floats(slots * kvHeads * headDim, in: -2...2)
            values = random.floats(slots * kvHeads * headDim)
        }

        /// softmax(q_h · k_s / √d) · v_s for each head of the group, reading KV head `kvHead`.
        func reference(kvHead: Int) -> [Float] {
            var out = [Float]()
            for h in 0..<group {
                var scores = (0..<slots).map { s in
                    (0..<headDim).reduce(0.0) { sum, d in
                        sum + Double(queries[h * headDim + d]) * Double(keys[s * slotStride + kvHead * headDim + d])
                    } / Double(headDim).squareRoot()
                }
                let top = scores.max()!
                scores = scores.map { Foundation.exp($0 - top) }
                let total = scores.reduce(0, +)
                for d in 0..<headDim {
                    let sum = (0..<slots).reduce(0.0) { $0 + scores[$1] * Double(values[$1 * slotStride + kvHead * headDim + d]) }
                    out.append(Float(sum / total))
                }
            }
            return out
        }

        /// The kernel over `parts` equal ranges of the slots, merged.
        func kernel(kvHead: Int, parts: Int) -> [Float] {
            let stride = group * (headDim + 2)
            var results = [Float](repeating: .nan, count: parts * stride)
            var scores = [Float](repeating: .nan, count: group * slots)
            for p in 0..<parts {
                let first = slots * p / parts, end = slots * (p + 1) / parts
                let offset = first * slotStride + kvHead * headDim
                keys.withUnsafeBufferPointer { k in
                    values.withUnsafeBufferPointer { v in
                        results.withUnsafeMutableBufferPointer { r in
                            let part = r.baseAddress! + p * stride
                            axl_attention_part(queries, Int32(group), Int32(headDim), k.baseAddress! + offset,
                                               v.baseAddress! + offset, slotStride, Int32(end - first),
                                               1 / Float(headDim).squareRoot(), &scores,
                                               part, part + group * headDim, part + group * (headDim + 1))
                        }
                    }
                }
            }
            var out = [Float](repeating: .nan, count: group * headDim)
            axl_attention_merge(results, Int32(parts), Int32(group), Int32(headDim), stride, &out)
            return out
        }
    }

    static func largestDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max()!
    }

    @Test(arguments: [1, 2, 3, 7])
    func attentionOverTheWholeCacheMatchesTheReference(parts: Int) {
        // SmolLM2's shape (3 query heads per KV head of 64) over enough slots for every split
        let attention = Case(group: 3, headDim: 64, kvHeads: 3, slots: 700, seed: 5)
        for kvHead in 0..<3 {
            let difference = Self.largestDifference(attention.kernel(kvHead: kvHead, parts: parts),
                                                    attention.reference(kvHead: kvHead))
            #expect(difference < 1e-5, "KV head \(kvHead) in \(parts) parts: \(difference)")
        }
    }

    @Test func oddShapesMatchTheReference() {
        // a single slot, a head width that is not a multiple of the vector width, a wide group
        for (group, headDim, slots) in [(1, 64, 1), (7, 20, 33), (2, 128, 5)] {
            let attention = Case(group: group, headDim: headDim, kvHeads: 2, slots: slots, seed: UInt64(slots))
            let difference = Self.largestDifference(attention.kernel(kvHead: 1, parts: 1), attention.reference(kvHead: 1))
            #expect(difference < 1e-5, "group \(group), head \(headDim), \(slots) slots: \(difference)")
        }
    }

    @Test func largeScoresDoNotOverflow() {
        // scores in the hundreds would overflow exp without subtracting each part's maximum
        var attention = Case(group: 2, headDim: 64, kvHeads: 1, slots: 300, seed: 9)
        attention.queries = attention.queries.map { $0 * 40 }
        let out = attention.kernel(kvHead: 0, parts: 3)
        #expect(out.allSatisfy { $0.isFinite })
        #expect(Self.largestDifference(out, attention.reference(kvHead: 0)) < 1e-4)
    }
}
