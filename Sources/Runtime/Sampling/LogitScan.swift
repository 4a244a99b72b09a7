/// Whole-vocabulary passes over raw logits, eight lanes at a time. Only the paths that keep the
/// whole vocabulary (top_k disabled) need them.
enum LogitScan {
    typealias Vector = SIMD8<Float>

    /// The largest logit, ignoring NaN; -inf when every logit is NaN or -inf.
    static func maximum(_ logits: UnsafeBufferPointer<Float>) -> Float {
        let base = UnsafeRawPointer(logits.baseAddress!)
        let n = logits.count
        var best = Vector(repeating: -.infinity)
        var i = 0
        while i + 8 <= n {
            var chunk = base.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            chunk.replace(with: -.infinity, where: chunk .!= chunk)
            best = pointwiseMax(best, chunk)
            i += 8
        }
        var result = best.max()
        while i < n {
            let value = logits[i]
            if value > result { result = value }
            i += 1
        }
        return result
    }

    /// Σ e^(logit - maximum) over the vocabulary: the softmax denominator. NaN counts as zero.
    static func sumOfExponentials(_ logits: UnsafeBufferPointer<Float>, maximum: Float) -> Float {
        let base = UnsafeRawPointer(logits.baseAddress!)
        let n = logits.count
        let shift = Vector(repeating: maximum)
        var sum = Vector.zero
        var i = 0
        while i + 8 <= n {
            var weights = PortableExp.exp(base.loadUnaligned(fromByteOffset: i * 4, as: Vector.self) - shift)
            weights.replace(with: 0, where: weights .!= weights)
            sum += weights
            i += 8
        }
        var result = sum.sum()
        while i < n {
            let weight = PortableExp.exp(logits[i] - maximum)
            if !weight.isNaN { result += weight }
            i += 1
        }
        return result
    }
}
