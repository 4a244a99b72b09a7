import GGUF

/// Converts rows of a weight tensor to f32, one element type at a time. Used for the token
/// embedding lookup and as the readable reference the fast kernels are tested against.
enum RowDequantizer {
    static let supportedTypes: Set<GGMLType> = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1]

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
        default:
            preconditionFailure("\(type.name) rows are rejected when the model is loaded")
        }
    }

    @inline(__always)
    private static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }
}
