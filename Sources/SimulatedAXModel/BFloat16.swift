/// bf16, the card's IO element type: the upper half of an IEEE binary32.
extension Float {
    /// Round to nearest even, as the simulator stores outputs.
    public static func bf16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return 0x7FC0 }
        return UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    public init(bf16 bits: UInt16) { self.init(bitPattern: UInt32(bits) << 16) }

    /// The value after a round trip through bf16.
    public var bf16Rounded: Float { Float(bf16: Float.bf16Bits(self)) }
}
