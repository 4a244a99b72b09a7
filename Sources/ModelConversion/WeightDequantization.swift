import GGUF

// Placeholder until CPUEngine exposes its row dequantizer: float tensors only.
enum WeightDequantization {
    static func floats(of tensor: GGUFTensorInfo, in file: GGUFFile) throws -> [Float] {
        let bytes = file.bytes(of: tensor)
        let count = tensor.elementCount
        switch tensor.type {
        case .f32:
            return (0 ..< count).map { bytes.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
        case .f16:
            return (0 ..< count).map { Float(Float16(bitPattern: bytes.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) }
        case .bf16:
            return (0 ..< count).map { Float(bitPattern: UInt32(bytes.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) << 16) }
        default:
            throw ConversionError.unsupportedTensorType(tensor: tensor.name, type: tensor.type.name)
        }
    }
}
