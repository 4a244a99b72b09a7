import GGUF

/// Converts rows of a weight tensor to f32, one element type at a time, in plain Swift written
/// apart from the C kernels. Used for the token embedding lookup, by the NPU package converter,
/// and as the readable reference the fast kernels are tested against.
enum RowDequantizer {
    static let supportedTypes: Set<GGMLType> = [
        .f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q4_K, .q5_K, .q6_K,
    ]

    /// Writes `count` values (a multiple of the type's block size) starting at `row`.
    static func dequantize(_ type: GGMLType, row: UnsafeRawPointer, count: Int,
                           into out: UnsafeMutablePointer<Float>) {
        switch type {
        case .f32:
            for i in 0..<count { out[i] = row.loadUnaligned(fromByteOffset: i * 4, as: Float.self) }
        case .f16:
            for i in 0..<count { out[i] = half(row, i * 2) }
        case .bf16:
            for i in 0..<count {
                let bits = UInt32(row.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) << 16
                out[i] = Float(bitPattern: bits)
            }
        case .q8_0:
            // block: f16 scale, 32 int8 (ggml-common.h block_q8_0)
            for b in 0..<count / 32 {
                let block = row + b * 34
                let d = half(block, 0)
                for j in 0..<32 {
                    out[b * 32 + j] = d * Float(block.load(fromByteOffset: 2 + j, as: Int8.self))
                }
            }
        case .q4_0:
            // block: f16 scale, 16 bytes; byte j holds element j (low nibble) and j+16 (high)
            for b in 0..<count / 32 {
                let block = row + b * 18
                let d = half(block, 0)
                for j in 0..<16 {
                    let byte = block.load(fromByteOffset: 2 + j, as: UInt8.self)
                    out[b * 32 + j] = d * Float(Int(byte & 0x0F) - 8)
                    out[b * 32 + j + 16] = d * Float(Int(byte >> 4) - 8)
                }
            }
        case .q4_1:
            // block: f16 scale, f16 minimum, 16 bytes of nibbles; w = d*q + m
            for b in 0..<count / 32 {
                let block = row + b * 20
                let d = half(block, 0), m = half(block, 2)
                for j in 0..<16 {
                    let byte = block.load(fromByteOffset: 4 + j, as: UInt8.self)
                    out[b * 32 + j] = d * Float(byte & 0x0F) + m
                    out[b * 32 + j + 16] = d * Float(byte >> 4) + m
                }
            }
        case .q5_0, .q5_1:
            // block: f16 scale, [f16 minimum,] 32 fifth bits (bit j for element j), 16 bytes of
            // nibbles as in q4; w = d·(q − 16) or d·q + m (ggml-common.h block_q5_0 / block_q5_1)
            let hasMinimum = type == .q5_1
            for b in 0..<count / 32 {
                let block = row + b * type.bytesPerBlock
                let d = half(block, 0), m = hasMinimum ? half(block, 2) : -16 * d
                let bits = block.loadUnaligned(fromByteOffset: hasMinimum ? 4 : 2, as: UInt32.self)
                let nibbles = hasMinimum ? 8 : 6
                for j in 0..<32 {
                    let byte = block.load(fromByteOffset: nibbles + j % 16, as: UInt8.self)
                    let q = Int(j < 16 ? byte & 0x0F : byte >> 4) | Int((bits >> UInt32(j)) & 1) << 4
                    out[b * 32 + j] = d * Float(q) + m
                }
            }
        case .q4_K, .q5_K:
            // super-block of 256: f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, [32 bytes of
            // fifth bits,] 128 bytes of nibbles; sub-block c of 32 is w = d·sc[c]·q − dmin·m[c]
            // (ggml-common.h block_q4_K / block_q5_K, ggml-quants.c dequantize_row_q4_K)
            let hasFifthBit = type == .q5_K
            for b in 0..<count / 256 {
                let block = row + b * type.bytesPerBlock
                let d = half(block, 0), dmin = half(block, 2)
                let quants = hasFifthBit ? 48 : 16
                for c in 0..<8 {
                    let (scale, minimum) = kQuantScaleAndMin(block + 4, c)
                    for l in 0..<32 {
                        let byte = block.load(fromByteOffset: quants + 32 * (c / 2) + l, as: UInt8.self)
                        var q = Int(byte >> (4 * UInt8(c & 1))) & 0x0F
                        if hasFifthBit {
                            q |= Int((block.load(fromByteOffset: 16 + l, as: UInt8.self) >> UInt8(c)) & 1) << 4
                        }
                        out[b * 256 + 32 * c + l] = d * Float(scale) * Float(q) - dmin * Float(minimum)
                    }
                }
            }
        case .q6_K:
            // super-block of 256: 128 bytes of low nibbles, 64 of 2-bit highs, 16 int8 scales,
            // f16 d; w = d·sc[e/16]·(q − 32) (ggml-common.h block_q6_K)
            for b in 0..<count / 256 {
                let block = row + b * 210
                let d = half(block, 208)
                for e in 0..<256 {
                    let h = e / 128, g = (e % 128) / 32, l = e % 32
                    let low = block.load(fromByteOffset: 64 * h + 32 * (g & 1) + l, as: UInt8.self) >> (g < 2 ? 0 : 4)
                    let high = block.load(fromByteOffset: 128 + 32 * h + l, as: UInt8.self) >> UInt8(2 * g)
                    let q = Int(low & 0x0F) | Int(high & 3) << 4
                    let scale = block.load(fromByteOffset: 192 + e / 16, as: Int8.self)
                    out[b * 256 + e] = d * Float(scale) * Float(q - 32)
                }
            }
        default:
            preconditionFailure("\(type.name) rows are rejected when the model is loaded")
        }
    }

    /// Sub-block c's 6-bit scale and minimum from a K-quant block's 12 packed bytes: the first four
    /// sit in the low 6 bits of bytes c and c+4, the last four split between byte c+4 (low/high
    /// nibble) and the top 2 bits of bytes c-4 and c (ggml-quants.c get_scale_min_k4).
    private static func kQuantScaleAndMin(_ packed: UnsafeRawPointer, _ c: Int) -> (UInt8, UInt8) {
        func byte(_ i: Int) -> UInt8 { packed.load(fromByteOffset: i, as: UInt8.self) }
        if c < 4 { return (byte(c) & 63, byte(c + 4) & 63) }
        return ((byte(c + 4) & 0x0F) | (byte(c - 4) >> 6) << 4, (byte(c + 4) >> 4) | (byte(c) >> 6) << 4)
    }

    @inline(__always)
    private static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }
}
