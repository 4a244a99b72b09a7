/// `e^x` for softmax weights, computed the same way on every machine.
///
/// `Foundation.exp` is whatever the platform's libm provides, and libms differ in the last bit;
/// a seeded draw that must pick the same token on a laptop and on the Pi cannot depend on that.
/// This kernel uses only IEEE operations with a single rounding each (fused multiply-adds are
/// requested explicitly), so its result is bit-identical wherever it runs. It is also vectorised,
/// because a sample over the whole vocabulary evaluates it 150,000 times.
///
/// Accuracy: within 2 ulp of `exp` for x in [-87, 88]; `0` below -87 (including -inf), which a
/// probability never misses; +inf above 88 (softmax only calls it with x <= 0); NaN stays NaN.
enum PortableExp {
    typealias Vector = SIMD8<Float>

    // 1.5 * 2^23: adding it rounds a float in [-2^22, 2^22] to an integer held in the low mantissa bits.
    private static let roundingShift: Float = 12_582_912
    private static let log2e: Float = 1.442_695_04
    // ln 2 split into a part exact in float and a remainder (Cody & Waite range reduction).
    private static let ln2High: Float = 0.693_145_751_953_125
    private static let ln2Low: Float = 1.428_606_765_330_187_045e-06
    private static let lowerLimit: Float = -87
    private static let upperLimit: Float = 88

    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        // n = round(x / ln 2), via the rounding shift.
        let shifted = Vector(repeating: roundingShift).addingProduct(x, Vector(repeating: log2e))
        let n = shifted - Vector(repeating: roundingShift)
        // r = x - n ln 2, |r| <= ln2 / 2
        var r = x.addingProduct(n, Vector(repeating: -ln2High))
        r = r.addingProduct(n, Vector(repeating: -ln2Low))
        // Taylor series of e^r to degree 7: the truncation error at |r| = 0.35 is ~5e-9 relative.
        var p = Vector(repeating: 1.0 / 5040)
        p = Vector(repeating: 1.0 / 720).addingProduct(p, r)
        p = Vector(repeating: 1.0 / 120).addingProduct(p, r)
        p = Vector(repeating: 1.0 / 24).addingProduct(p, r)
        p = Vector(repeating: 1.0 / 6).addingProduct(p, r)
        p = Vector(repeating: 0.5).addingProduct(p, r)
        p = Vector(repeating: 1).addingProduct(p, r)
        p = Vector(repeating: 1).addingProduct(p, r)
        // 2^n assembled in the exponent field: n sits in the low bits of `shifted`.
        let nBits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(Vector(repeating: roundingShift), to: SIMD8<Int32>.self)
        let scale = unsafeBitCast((nBits &+ 127) &<< 23, to: Vector.self)
        // Outside [-87, 88] the exponent field overflows and the value above is garbage: replace it.
        var result = p * scale
        result.replace(with: 0, where: x .< Vector(repeating: lowerLimit))
        result.replace(with: .infinity, where: x .> Vector(repeating: upperLimit))
        return result
    }

    @inline(__always)
    static func exp(_ x: Float) -> Float {
        exp(Vector(repeating: x))[0]
    }
}
