/// Picks an index with probability proportional to its weight, for any number of weights.
///
/// The weights are summed in fixed blocks of 256 (eight lanes each), and the walk first skips
/// whole blocks, then goes one by one inside the chosen block. That keeps a 150,000-entry draw
/// to two vectorised passes instead of one long chain of dependent additions, and the fixed
/// order makes the result the same everywhere.
enum WeightedDraw {
    private static let blockSize = 256

    /// The index whose cumulative weight first exceeds `unit * total`; `nil` when no weight is
    /// positive (all zero, or the sum overflowed). `unit` must be in [0, 1).
    static func pick(_ weights: UnsafeBufferPointer<Float>, unit: Double) -> Int? {
        var total = 0.0
        var start = 0
        while start < weights.count {
            total += blockSum(weights, from: start)
            start += blockSize
        }
        guard total > 0, total.isFinite else { return nil }
        let target = unit * total
        var before = 0.0
        start = 0
        while start < weights.count {
            let sum = blockSum(weights, from: start)
            let end = min(start + blockSize, weights.count)
            if target < before + sum || end == weights.count {
                return pickInside(weights, start..<end, target: target, before: before)
                    ?? lastWeighted(weights, before: end)
            }
            before += sum
            start = end
        }
        return lastWeighted(weights, before: weights.count)
    }

    private static func pickInside(_ weights: UnsafeBufferPointer<Float>, _ block: Range<Int>, target: Double, before: Double) -> Int? {
        var cumulative = before
        for i in block where weights[i] > 0 {
            cumulative += Double(weights[i])
            if target < cumulative {
                return i
            }
        }
        return nil
    }

    /// When rounding leaves the target just past the last weight: the last index with weight.
    private static func lastWeighted(_ weights: UnsafeBufferPointer<Float>, before end: Int) -> Int? {
        var i = end - 1
        while i >= 0 {
            if weights[i] > 0 { return i }
            i -= 1
        }
        return nil
    }

    private static func blockSum(_ weights: UnsafeBufferPointer<Float>, from start: Int) -> Double {
        let end = min(start + blockSize, weights.count)
        let raw = UnsafeRawPointer(weights.baseAddress!)
        var lanes = SIMD8<Float>.zero
        var i = start
        while i + 8 <= end {
            lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var sum = Double(lanes[0]) + Double(lanes[1]) + Double(lanes[2]) + Double(lanes[3])
            + Double(lanes[4]) + Double(lanes[5]) + Double(lanes[6]) + Double(lanes[7])
        while i < end {
            sum += Double(weights[i])
            i += 1
        }
        return sum
    }
}
