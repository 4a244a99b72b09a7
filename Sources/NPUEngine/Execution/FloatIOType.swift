import AXCL

/// A float data type in which the layer and post engines exchange activations, masks, cache rows
/// and logits with the host. The vendor's packages use bf16 throughout (axera.md §3.4); a model
/// compiled otherwise may declare fp16 or fp32 for any of them. The type of each tensor is read
/// from the engine's IO info (`axclrtEngineGetInputDataType` / `GetOutputDataType`, axera.md §1.7),
/// never assumed.
public enum FloatIOType: String, Sendable, Equatable, CaseIterable {
    case bf16, fp16, fp32

    /// nil for a type the engine does not convert (integers, fp8, fp64 …).
    public init?(_ dataType: EngineDataType) {
        switch dataType {
        case .bf16: self = .bf16
        case .fp16: self = .fp16
        case .fp32: self = .fp32
        default: return nil
        }
    }

    public var dataType: EngineDataType {
        switch self {
        case .bf16: return .bf16
        case .fp16: return .fp16
        case .fp32: return .fp32
        }
    }

    public var byteWidth: Int { self == .fp32 ? 4 : 2 }

    /// Bits of an additive-mask value that hides a position: the vendor's −65536 (`0xC780` in
    /// bf16, axera.md §3.4); fp16 cannot hold it, so its most negative finite value −65504, which
    /// hides a position as well (e^(score − 65504) is 0 in f32). 0 (all bits clear) is visible in
    /// every type.
    public var maskedBits: UInt32 {
        switch self {
        case .bf16: return 0xC780
        case .fp16: return 0xFBFF
        case .fp32: return Float(-65536).bitPattern
        }
    }

    /// Writes `count` elements of `bits` (the type's own encoding) at `destination`.
    func fill(_ destination: UnsafeMutableRawPointer, count: Int, bits: UInt32) {
        switch self {
        case .fp32: destination.assumingMemoryBound(to: UInt32.self).update(repeating: bits, count: count)
        case .bf16, .fp16: destination.assumingMemoryBound(to: UInt16.self).update(repeating: UInt16(truncatingIfNeeded: bits), count: count)
        }
    }

    /// `count` elements at `source` as f32: exact for bf16 (a shift into the upper half, axera.md
    /// §3.4) and fp16.
    func decode(_ source: UnsafeRawPointer, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            switch self {
            case .bf16:
                let bits = source.assumingMemoryBound(to: UInt16.self)
                for i in 0 ..< count { buffer[i] = Float(bitPattern: UInt32(bits[i]) << 16) }
            case .fp16:
                let bits = source.assumingMemoryBound(to: UInt16.self)
                for i in 0 ..< count { buffer[i] = Float(Float16(bitPattern: bits[i])) }
            case .fp32:
                buffer.baseAddress!.initialize(from: source.assumingMemoryBound(to: Float.self), count: count)
            }
            initialized = count
        }
    }

    /// Writes `count` elements of `sourceType` (at `source`) in this type: a copy when the types
    /// match; otherwise each value through f32 (exact from bf16 and fp16), rounded to nearest even
    /// when narrowing, as the converter rounds the bf16 embedding table, so a package's bf16 and
    /// fp32 tables give bf16 layers the same rows.
    func encode(_ source: UnsafeRawPointer, of sourceType: FloatIOType, count: Int, to destination: UnsafeMutableRawPointer) {
        if sourceType == self {
            destination.copyMemory(from: source, byteCount: count * byteWidth)
            return
        }
        for i in 0 ..< count {
            let value: Float = switch sourceType {
            case .bf16: Float(bitPattern: UInt32(source.load(fromByteOffset: i * 2, as: UInt16.self)) << 16)
            case .fp16: Float(Float16(bitPattern: source.load(fromByteOffset: i * 2, as: UInt16.self)))
            case .fp32: source.load(fromByteOffset: i * 4, as: Float.self)
            }
            switch self {
            case .bf16: destination.storeBytes(of: Self.bf16Bits(value), toByteOffset: i * 2, as: UInt16.self)
            case .fp16: destination.storeBytes(of: Float16(value).bitPattern, toByteOffset: i * 2, as: UInt16.self)
            case .fp32: destination.storeBytes(of: value, toByteOffset: i * 4, as: Float.self)
            }
        }
    }

    /// The bf16 nearest to `value` (ties to even; NaN stays NaN).
    static func bf16Bits(_ value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let bits = value.bitPattern
        return UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }
}
