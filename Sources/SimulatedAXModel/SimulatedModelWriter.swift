import AXCLSimulatorInterface
import Foundation

/// Writes simulated .axmodel files (docs/simulated-axmodel.md): the converter's output and the
/// AXCL tests' hand-made models.
public struct SimulatedModelWriter: Sendable {
    public struct IO: Sendable {
        public var name: String
        public var dataType: UInt32 // axclrtEngineDataType
        public var shapes: [[Int32]] // one per group

        public init(name: String, dataType: UInt32, shapes: [[Int32]]) {
            self.name = name
            self.dataType = dataType
            self.shapes = shapes
        }
    }

    public struct Tensor: Sendable {
        public var name: String
        public var dims: [Int32]
        /// The tensor's data type code: FP32 (15), BF16 (14), FP16 (13) or an `axsim_tensor_type`.
        public let dataType: UInt32
        /// The bytes written, in `dataType`'s encoding.
        public let payload: Data

        /// Float values, written as FP32, or as BF16 when `bf16`.
        public init(name: String, dims: [Int32], values: [Float], bf16: Bool = false) {
            self.name = name
            self.dims = dims
            dataType = bf16 ? 14 : 15
            payload = bf16
                ? values.map { Float.bf16Bits($0) }.withUnsafeBytes { Data($0) }
                : values.withUnsafeBytes { Data($0) }
        }

        /// Values already encoded, e.g. a GGUF tensor's quantized blocks as the file stores them.
        public init(name: String, dims: [Int32], dataType: UInt32, payload: Data) {
            self.name = name
            self.dims = dims
            self.dataType = dataType
            self.payload = payload
        }
    }

    public var kind: axsim_model_kind
    public var hidden: UInt32, heads: UInt32 = 0, kvHeads: UInt32 = 0, headDim: UInt32 = 0, intermediate: UInt32 = 0, vocab: UInt32 = 0
    public var rmsNormEps: Float = 1e-5, ropeTheta: Float = 10000
    public var flags: UInt32 = 0
    public var inputs: [IO] = [], outputs: [IO] = []
    public var tensors: [Tensor] = []
    /// Reported by `axclrtEngineGetModelCompilerVersion`.
    public var compilerVersion = "axsim 1"

    public init(kind: axsim_model_kind, hidden: UInt32) {
        self.kind = kind
        self.hidden = hidden
    }

    public func data() -> Data {
        let slots = inputs + outputs
        let groupCount = slots.first?.shapes.count ?? 0
        let ioTable = MemoryLayout<axsim_model_header>.size
        let groupTable = ioTable + slots.count * MemoryLayout<axsim_io_entry>.size
        let tensorTable = groupTable + slots.count * groupCount * MemoryLayout<axsim_io_shape>.size
        var offset = align(tensorTable + tensors.count * MemoryLayout<axsim_tensor_entry>.size)
        var entries: [axsim_tensor_entry] = []
        var payloads: [(Int, Data)] = []
        for tensor in tensors {
            var entry = axsim_tensor_entry()
            setName(&entry.name, tensor.name)
            entry.dataType = tensor.dataType
            entry.dimCount = UInt32(tensor.dims.count)
            withUnsafeMutableBytes(of: &entry.dims) { raw in
                for (i, d) in tensor.dims.enumerated() { raw.storeBytes(of: d, toByteOffset: i * 4, as: Int32.self) }
            }
            let payload = tensor.payload
            entry.offset = UInt64(offset)
            entry.byteCount = UInt64(payload.count)
            entries.append(entry)
            payloads.append((offset, payload))
            offset = align(offset + payload.count)
        }
        var header = axsim_model_header()
        withUnsafeMutableBytes(of: &header.magic) { $0.copyBytes(from: Array("AXSIMMDL".utf8)) }
        header.version = 1
        header.kind = kind.rawValue
        header.hidden = hidden
        header.heads = heads
        header.kvHeads = kvHeads
        header.headDim = headDim
        header.intermediate = intermediate
        header.vocab = vocab
        header.rmsNormEps = rmsNormEps
        header.ropeTheta = ropeTheta
        header.flags = flags
        header.groupCount = UInt32(groupCount)
        header.inputCount = UInt32(inputs.count)
        header.outputCount = UInt32(outputs.count)
        header.tensorCount = UInt32(tensors.count)
        header.ioTableOffset = UInt64(ioTable)
        header.groupTableOffset = UInt64(groupTable)
        header.tensorTableOffset = UInt64(tensorTable)
        header.fileBytes = UInt64(offset)
        setName(&header.compilerVersion, compilerVersion)

        var file = Data(count: offset)
        file.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
            raw.storeBytes(of: header, toByteOffset: 0, as: axsim_model_header.self)
            for (i, io) in slots.enumerated() {
                var entry = axsim_io_entry()
                setName(&entry.name, io.name)
                entry.dataType = io.dataType
                raw.storeBytes(of: entry, toByteOffset: ioTable + i * MemoryLayout<axsim_io_entry>.size, as: axsim_io_entry.self)
            }
            for group in 0 ..< groupCount {
                for (i, io) in slots.enumerated() {
                    var shape = axsim_io_shape()
                    shape.dimCount = UInt32(io.shapes[group].count)
                    withUnsafeMutableBytes(of: &shape.dims) { dims in
                        for (d, value) in io.shapes[group].enumerated() { dims.storeBytes(of: value, toByteOffset: d * 4, as: Int32.self) }
                    }
                    let at = groupTable + (group * slots.count + i) * MemoryLayout<axsim_io_shape>.size
                    raw.storeBytes(of: shape, toByteOffset: at, as: axsim_io_shape.self)
                }
            }
            for (i, entry) in entries.enumerated() {
                raw.storeBytes(of: entry, toByteOffset: tensorTable + i * MemoryLayout<axsim_tensor_entry>.size, as: axsim_tensor_entry.self)
            }
            for (at, payload) in payloads {
                payload.withUnsafeBytes { raw.baseAddress!.advanced(by: at).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            }
        }
        return file
    }

    public func write(to url: URL) throws { try data().write(to: url) }

    private func align(_ value: Int) -> Int { (value + 63) / 64 * 64 }

    private func setName<T>(_ field: inout T, _ name: String) {
        withUnsafeMutableBytes(of: &field) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            raw.copyBytes(from: Array(name.utf8.prefix(raw.count - 1)))
        }
    }
}

