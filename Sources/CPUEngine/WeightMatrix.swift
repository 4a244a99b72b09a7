import GGUF

/// A 2-D weight tensor as the kernels read it, in place in the memory-mapped file: `rows`
/// output rows of `columns` inputs each (ggml ne[0] = columns, contiguous; ne[1] = rows).
struct WeightMatrix: @unchecked Sendable {
    let name: String
    let type: GGMLType
    let rows: Int
    let columns: Int
    let rowBytes: Int
    let base: UnsafeRawPointer

    init(_ file: GGUFFile, name: String, columns: Int, rows: Int) throws {
        guard let info = file.tensor(named: name) else { throw CPUEngineError.missingTensor(name: name) }
        guard RowDequantizer.supportedTypes.contains(info.type) else {
            throw CPUEngineError.unsupportedTensorType(tensor: name, type: info.type.name)
        }
        let dims = info.dimensions
        guard dims.count == 2, dims[0] == columns, dims[1] == rows else {
            throw CPUEngineError.unexpectedShape(tensor: name, expected: [columns, rows], found: dims)
        }
        let block = max(32, info.type.blockSize)
        guard columns % block == 0 else {
            throw CPUEngineError.invalidHyperparameters("`\(name)` rows of \(columns) are not whole blocks of \(block)")
        }
        self.name = name
        self.type = info.type
        self.rows = rows
        self.columns = columns
        self.rowBytes = columns / info.type.blockSize * info.type.bytesPerBlock
        self.base = file.bytes(of: info).baseAddress!
    }

    /// For tests and benchmarks: a matrix over memory the caller owns.
    init(name: String, type: GGMLType, rows: Int, columns: Int, base: UnsafeRawPointer) {
        self.name = name
        self.type = type
        self.rows = rows
        self.columns = columns
        self.rowBytes = columns / type.blockSize * type.bytesPerBlock
        self.base = base
    }

    /// The form of the activations this matrix's kernel reads.
    enum ActivationFormat {
        case float
        /// int8 in blocks of 32 (MatmulInput.quantize)
        case blocksOf32
        /// int8 in super-blocks of 256, llama.cpp's Q8_K (MatmulInput.quantizeSuperBlocks)
        case superBlocksOf256
    }

    var activationFormat: ActivationFormat {
        switch type {
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0: return .blocksOf32
        case .q4_K, .q5_K, .q6_K: return .superBlocksOf256
        default: return .float
        }
    }

    func row(_ r: Int) -> UnsafeRawPointer { base + r * rowBytes }

    func dequantizeRow(_ r: Int, into out: UnsafeMutablePointer<Float>) {
        RowDequantizer.dequantize(type, row: row(r), count: columns, into: out)
    }
}

/// A norm or other 1-D weight, copied to f32 once at load time (a few KB per layer).
func loadVector(_ file: GGUFFile, name: String, count: Int) throws -> [Float] {
    guard let info = file.tensor(named: name) else { throw CPUEngineError.missingTensor(name: name) }
    guard RowDequantizer.supportedTypes.contains(info.type) else {
        throw CPUEngineError.unsupportedTensorType(tensor: name, type: info.type.name)
    }
    guard info.elementCount == count else {
        throw CPUEngineError.unexpectedShape(tensor: name, expected: [count], found: info.dimensions)
    }
    var values = [Float](repeating: 0, count: count)
    values.withUnsafeMutableBufferPointer {
        RowDequantizer.dequantize(info.type, row: file.bytes(of: info).baseAddress!, count: count,
                                  into: $0.baseAddress!)
    }
    return values
}
