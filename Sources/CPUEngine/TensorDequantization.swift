import GGUF

/// Whole tensors as f32, through the engine's own row dequantizer, for tools that re-encode
/// weights (the NPU package converter) so that they decode GGUF blocks exactly as the engine does.
public enum TensorDequantization {
    public static func isSupported(_ type: GGMLType) -> Bool { RowDequantizer.supportedTypes.contains(type) }

    /// nil when the tensor's type has no dequantizer here.
    public static func floats(of tensor: GGUFTensorInfo, in file: GGUFFile) -> [Float]? {
        guard isSupported(tensor.type) else { return nil }
        let bytes = file.bytes(of: tensor)
        let count = tensor.elementCount
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            RowDequantizer.dequantize(tensor.type, row: bytes.baseAddress!, count: count, into: buffer.baseAddress!)
            initialized = count
        }
    }
}
