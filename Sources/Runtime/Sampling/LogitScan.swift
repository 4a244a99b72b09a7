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
            let chunk = base.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            // A select rather than pointwiseMax, which is lowered lane by lane; NaN never wins.
            best.replace(with: chunk, where: chunk .> best)
            i += 8
        }
        var result = -Float.infinity
        for lane in 0..<8 where best[lane] > result {
            result = best[lane]
        }
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

    /// out[i] = e^((logits[i] - shift) / divisor), NaN giving 0: softmax weights of the whole
    /// vocabulary at a temperature.
    static func exponentials(
        _ logits: UnsafeBufferPointer<Float>, shift: Float, divisor: Float, into out: UnsafeMutablePointer<Float>
    ) {
        let base = UnsafeRawPointer(logits.baseAddress!)
        let target = UnsafeMutableRawPointer(out)
        let n = logits.count
        let shiftVector = Vector(repeating: shift)
        let divisorVector = Vector(repeating: divisor)
        var i = 0
        while i + 8 <= n {
            let chunk = base.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
            var weights = PortableExp.exp((chunk - shiftVector) / divisorVector)
            weights.replace(with: 0, where: weights .!= weights)
            target.storeBytes(of: weights, toByteOffset: i * 4, as: Vector.self)
            i += 8
        }
        while i < n {
            let weight = PortableExp.exp((logits[i] - shift) / divisor)
            out[i] = weight.isNaN ? 0 : weight
            i += 1
        }
    }
}
