import AXCLSimulatorInterface
import Foundation

/// Writes simulated .axmodel files (docs/simulated-axmodel.md) for tests.
struct SimulatedModelWriter {
    struct IO {
        var name: String
        var dataType: UInt32 // axclrtEngineDataType
        var shapes: [[Int32]] // one per group
    }

    struct Tensor {
        var name: String
        var dims: [Int32]
        var values: [Float] // written as FP32, or BF16 when `bf16`
        var bf16 = false
    }

    var kind: axsim_model_kind
    var hidden: UInt32, heads: UInt32 = 0, kvHeads: UInt32 = 0, headDim: UInt32 = 0, intermediate: UInt32 = 0, vocab: UInt32 = 0
    var rmsNormEps: Float = 1e-5, ropeTheta: Float = 10000
    var flags: UInt32 = 0
    var inputs: [IO] = [], outputs: [IO] = []
    var tensors: [Tensor] = []

    func data() -> Data {
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
            entry.dataType = tensor.bf16 ? 14 : 15
            entry.dimCount = UInt32(tensor.dims.count)
            withUnsafeMutableBytes(of: &entry.dims) { raw in
                for (i, d) in tensor.dims.enumerated() { raw.storeBytes(of: d, toByteOffset: i * 4, as: Int32.self) }
            }
            let payload = tensor.bf16
                ? tensor.values.map { Float.bf16Bits($0) }.withUnsafeBytes { Data($0) }
                : tensor.values.withUnsafeBytes { Data($0) }
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
        setName(&header.compilerVersion, "axsim-test 1")

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

    func write(to url: URL) throws { try data().write(to: url) }

    private func align(_ value: Int) -> Int { (value + 63) / 64 * 64 }

    private func setName<T>(_ field: inout T, _ name: String) {
        withUnsafeMutableBytes(of: &field) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            raw.copyBytes(from: Array(name.utf8.prefix(raw.count - 1)))
        }
    }
}

extension Float {
    /// Round to nearest even, as the simulator stores outputs.
    static func bf16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return 0x7FC0 }
        return UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    init(bf16 bits: UInt16) { self.init(bitPattern: UInt32(bits) << 16) }

    /// The value after a round trip through bf16.
    var bf16Rounded: Float { Float(bf16: Float.bf16Bits(self)) }
}

/// A small deterministic generator, so that failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state
    }

    mutating func values(_ count: Int, scale: Float = 1) -> [Float] {
        (0 ..< count).map { _ in Float.random(in: -scale ... scale, using: &self) }
    }
}
