/// Branch conditions over many lanes without `any(_:)` on a SIMD comparison: the standard
/// library lowers that lane by lane on x86 (measured: it made the top-k scan 5x slower).
/// The sign of a difference answers the same question with plain vector arithmetic.
enum VectorCheck {
    private typealias Bits = SIMD4<UInt64>

    /// Whether some of the 32 floats at `block` may exceed `bar`. Exact for ordinary numbers; a
    /// NaN may answer true, so callers re-check values one by one.
    @inline(__always)
    static func anyGreater(_ block: UnsafeRawPointer, than bar: Float) -> Bool {
        let limit = SIMD8<Float>(repeating: bar)
        // bar - v < 0 exactly when v > bar (a difference of distinct floats is never zero), so
        // OR-ing the differences' bits collects every sign that matters.
        var bits = unsafeBitCast(limit - block.loadUnaligned(as: SIMD8<Float>.self), to: Bits.self)
        bits |= unsafeBitCast(limit - block.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self), to: Bits.self)
        bits |= unsafeBitCast(limit - block.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self), to: Bits.self)
        bits |= unsafeBitCast(limit - block.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self), to: Bits.self)
        bits &= Bits(repeating: 0x8000_0000_8000_0000)
        return (bits[0] | bits[1] | bits[2] | bits[3]) != 0
    }

    /// Whether some lane of `values` may reach `bar` (>=). A NaN lane may answer true, as above.
    @inline(__always)
    static func anyGreaterOrEqual(_ values: SIMD8<Float>, to bar: SIMD8<Float>) -> Bool {
        // v - bar >= 0 has a clear sign bit (an exact zero difference is +0).
        let negative = unsafeBitCast(values - bar, to: Bits.self) & Bits(repeating: 0x8000_0000_8000_0000)
        return (negative[0] & negative[1] & negative[2] & negative[3]) != 0x8000_0000_8000_0000
    }
}
