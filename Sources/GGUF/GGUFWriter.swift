/// Builds a GGUF (version 3 by default) file image in memory. Used to write small test models,
/// converted files and deliberately damaged files in tests.
public struct GGUFWriter {
    public struct Tensor {
        public var name: String
        public var dimensions: [Int]
        public var type: GGMLType
        public var data: [UInt8]

        public init(name: String, dimensions: [Int], type: GGMLType, data: [UInt8]) {
            self.name = name
            self.dimensions = dimensions
            self.type = type
            self.data = data
        }
    }

    public var version: UInt32
    public var alignment: Int
    public private(set) var metadata: [(key: String, value: GGUFValue)] = []
    public private(set) var tensors: [Tensor] = []

    public init(version: UInt32 = 3, alignment: Int = 32) {
        self.version = version
        self.alignment = alignment
    }

    public mutating func add(_ key: String, _ value: GGUFValue) {
        metadata.append((key, value))
    }

    public mutating func add(tensor: Tensor) {
        tensors.append(tensor)
    }

    /// Convenience for float32 tensors.
    public mutating func add(tensor name: String, dimensions: [Int], floats: [Float]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(floats.count * 4)
        for value in floats { appendInteger(value.bitPattern, to: &bytes) }
        tensors.append(Tensor(name: name, dimensions: dimensions, type: .f32, data: bytes))
    }

    /// The complete file image.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        appendInteger(UInt32(0x4655_4747), to: &out)
        appendInteger(version, to: &out)
        appendInteger(UInt64(tensors.count), to: &out)
        appendInteger(UInt64(metadata.count), to: &out)
        for (key, value) in metadata {
            appendString(key, to: &out)
            appendInteger(Self.typeCode(of: value), to: &out)
            appendValue(value, to: &out)
        }
        var offset = 0
        var offsets: [Int] = []
        for tensor in tensors {
            offsets.append(offset)
            offset = (offset + tensor.data.count + alignment - 1) / alignment * alignment
        }
        for (tensor, tensorOffset) in zip(tensors, offsets) {
            appendString(tensor.name, to: &out)
            appendInteger(UInt32(tensor.dimensions.count), to: &out)
            for dimension in tensor.dimensions { appendInteger(UInt64(dimension), to: &out) }
            appendInteger(tensor.type.rawValue, to: &out)
            appendInteger(UInt64(tensorOffset), to: &out)
        }
        pad(&out)
        for tensor in tensors {
            out.append(contentsOf: tensor.data)
            pad(&out)
        }
        return out
    }

    private func pad(_ out: inout [UInt8]) {
        while out.count % alignment != 0 { out.append(0) }
    }

    private static func typeCode(of value: GGUFValue) -> UInt32 {
        let type: GGUFValueType
        switch value {
        case .uint8: type = .uint8
        case .int8: type = .int8
        case .uint16: type = .uint16
        case .int16: type = .int16
        case .uint32: type = .uint32
        case .int32: type = .int32
        case .uint64: type = .uint64
        case .int64: type = .int64
        case .float32: type = .float32
        case .float64: type = .float64
        case .bool: type = .bool
        case .string: type = .string
        case .array: type = .array
        }
        return type.rawValue
    }

    private func appendValue(_ value: GGUFValue, to out: inout [UInt8]) {
        switch value {
        case let .uint8(v): appendInteger(v, to: &out)
        case let .int8(v): appendInteger(v, to: &out)
        case let .uint16(v): appendInteger(v, to: &out)
        case let .int16(v): appendInteger(v, to: &out)
        case let .uint32(v): appendInteger(v, to: &out)
        case let .int32(v): appendInteger(v, to: &out)
        case let .uint64(v): appendInteger(v, to: &out)
        case let .int64(v): appendInteger(v, to: &out)
        case let .float32(v): appendInteger(v.bitPattern, to: &out)
        case let .float64(v): appendInteger(v.bitPattern, to: &out)
        case let .bool(v): out.append(v ? 1 : 0)
        case let .string(v): appendString(v, to: &out)
        case let .array(elements):
            // An empty array has no element to take a type from; uint8 is as good as any.
            let elementType = elements.first.map(Self.typeCode(of:)) ?? GGUFValueType.uint8.rawValue
            appendInteger(elementType, to: &out)
            appendInteger(UInt64(elements.count), to: &out)
            for element in elements { appendValue(element, to: &out) }
        }
    }

    private func appendString(_ string: String, to out: inout [UInt8]) {
        let utf8 = Array(string.utf8)
        appendInteger(UInt64(utf8.count), to: &out)
        out.append(contentsOf: utf8)
    }
}

@inline(__always)
func appendInteger<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
}
