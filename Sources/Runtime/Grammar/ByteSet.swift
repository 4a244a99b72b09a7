/// A set of byte values, one bit each: what one step of a grammar may consume.
public struct ByteSet: Sendable, Hashable {
    private var low: UInt128 = 0
    private var high: UInt128 = 0

    public init() {}

    public init(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { insert(byte) }
    }

    public init(_ range: ClosedRange<UInt8>) {
        for byte in range { insert(byte) }
    }

    public static func byte(_ byte: UInt8) -> ByteSet { ByteSet(CollectionOfOne(byte)) }
    public static var all: ByteSet { ByteSet(0 ... 255) }

    @inline(__always)
    public func contains(_ byte: UInt8) -> Bool {
        byte < 128 ? (low >> UInt128(byte)) & 1 == 1 : (high >> UInt128(byte - 128)) & 1 == 1
    }

    public mutating func insert(_ byte: UInt8) {
        if byte < 128 { low |= 1 << UInt128(byte) } else { high |= 1 << UInt128(byte - 128) }
    }

    public mutating func remove(_ byte: UInt8) {
        if byte < 128 { low &= ~(1 << UInt128(byte)) } else { high &= ~(1 << UInt128(byte - 128)) }
    }

    public func union(_ other: ByteSet) -> ByteSet {
        var result = self
        result.low |= other.low
        result.high |= other.high
        return result
    }

    public func subtracting(_ other: ByteSet) -> ByteSet {
        var result = self
        result.low &= ~other.low
        result.high &= ~other.high
        return result
    }

    public var isEmpty: Bool { low == 0 && high == 0 }

    /// The members in increasing order.
    public var members: [UInt8] { (0 ... 255).filter { contains(UInt8($0)) }.map { UInt8($0) } }
}
