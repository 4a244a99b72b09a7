import CPUEngine
import GGUF

/// GGUF tensors as f32, decoded by the CPU engine's dequantizer so both engines start from the
/// same weights.
enum WeightDequantization {
    static func floats(of tensor: GGUFTensorInfo, in file: GGUFFile) throws -> [Float] {
        guard let values = TensorDequantization.floats(of: tensor, in: file) else {
            throw ConversionError.unsupportedTensorType(tensor: tensor.name, type: tensor.type.name)
        }
        return values
    }
}
