/// A GGUF model file (versions 2 and 3), memory-mapped read-only: its metadata, its tensor
/// index, and the bytes of each tensor straight from the mapping.
///
/// Layout (GGUF specification): magic `GGUF`, version, tensor count, metadata count, the
/// metadata key/value pairs, the tensor infos, padding to `general.alignment`, tensor data.
public final class GGUFFile: @unchecked Sendable {
    public let path: String
    public let version: UInt32
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Byte offset of the data section from the start of the file.
    public let dataOffset: Int
    /// Size of the whole file in bytes.
    public var fileSize: Int { mapping.bytes.count }

    private let mapping: MappedFile
    private let tensorIndex: [String: Int]

    static let magic: UInt32 = 0x4655_4747  // "GGUF" read as a little-endian UInt32
    static let defaultAlignment = 32
    /// ggml tensors have at most four dimensions (GGML_MAX_DIMS).
    static let maximumDimensions = 4
    static let maximumArrayNesting = 8

    public init(path: String) throws {
        self.path = path
        mapping = try MappedFile(path: path)
        var reader = ByteReader(mapping.bytes)

        guard mapping.bytes.count >= 4, try reader.read(UInt32.self, "magic") == Self.magic else {
            throw GGUFError.notGGUF(path: path)
        }
        version = try reader.read(UInt32.self, "version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(version) }

        let tensorCount = try reader.read(UInt64.self, "tensor count")
        let metadataCount = try reader.read(UInt64.self, "metadata count")
        // Each metadata pair takes at least 13 bytes and each tensor info at least 28, so a count
        // beyond what the rest of the file could hold is corruption, caught before allocating.
        guard metadataCount <= UInt64(reader.remaining / 13) else {
            throw GGUFError.implausibleCount(what: "metadata count", count: metadataCount)
        }
        guard tensorCount <= UInt64(reader.remaining / 28) else {
            throw GGUFError.implausibleCount(what: "tensor count", count: tensorCount)
        }

        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        keys.reserveCapacity(Int(metadataCount))
        for index in 0 ..< Int(metadataCount) {
            let key = try reader.readString("metadata key #\(index)")
            let value = try Self.readValue(&reader, key: key, depth: 0)
            if metadata.updateValue(value, forKey: key) == nil { keys.append(key) }
        }
        self.metadata = metadata
        metadataKeys = keys

        var alignment = Self.defaultAlignment
        if let value = metadata["general.alignment"]?.intValue {
            guard value > 0, value & (value - 1) == 0 else {
                throw GGUFError.invalidAlignment(UInt64(truncatingIfNeeded: value))
            }
            alignment = value
        }
        self.alignment = alignment

        var pending: [(name: String, dimensions: [Int], type: GGMLType, offset: UInt64)] = []
        pending.reserveCapacity(Int(tensorCount))
        for index in 0 ..< Int(tensorCount) {
            let name = try reader.readString("name of tensor #\(index)")
            let dimensionCount = try reader.read(UInt32.self, "dimension count of '\(name)'")
            guard (1 ... UInt32(Self.maximumDimensions)).contains(dimensionCount) else {
                throw GGUFError.invalidTensorShape(tensor: name, reason: "\(dimensionCount) dimensions")
            }
            var dimensions: [Int] = []
            for _ in 0 ..< dimensionCount {
                let dimension = try reader.read(UInt64.self, "dimensions of '\(name)'")
                guard dimension <= UInt64(Int32.max) else {
                    throw GGUFError.invalidTensorShape(tensor: name, reason: "dimension \(dimension) is too large")
                }
                dimensions.append(Int(dimension))
            }
            let code = try reader.read(UInt32.self, "type of '\(name)'")
            guard let type = GGMLType(rawValue: code) else {
                throw GGUFError.unknownTensorType(tensor: name, code: code)
            }
            let offset = try reader.read(UInt64.self, "offset of '\(name)'")
            pending.append((name, dimensions, type, offset))
        }

        let dataOffset = (reader.offset + alignment - 1) / alignment * alignment
        guard dataOffset <= mapping.bytes.count else {
            throw GGUFError.truncated(what: "data section", offset: reader.offset)
        }
        self.dataOffset = dataOffset
        let dataSize = mapping.bytes.count - dataOffset

        var tensors: [GGUFTensorInfo] = []
        var tensorIndex: [String: Int] = [:]
        tensors.reserveCapacity(pending.count)
        for entry in pending {
            let byteCount = try Self.byteCount(name: entry.name, dimensions: entry.dimensions, type: entry.type)
            guard entry.offset % UInt64(alignment) == 0 else {
                throw GGUFError.invalidTensorShape(tensor: entry.name, reason: "offset \(entry.offset) is not aligned to \(alignment)")
            }
            guard entry.offset <= UInt64(dataSize), UInt64(byteCount) <= UInt64(dataSize) - entry.offset else {
                throw GGUFError.tensorOutOfBounds(tensor: entry.name)
            }
            guard tensorIndex[entry.name] == nil else { throw GGUFError.duplicateTensor(entry.name) }
            tensorIndex[entry.name] = tensors.count
            tensors.append(GGUFTensorInfo(name: entry.name, dimensions: entry.dimensions, type: entry.type,
                                          offset: Int(entry.offset), byteCount: byteCount))
        }
        self.tensors = tensors
        self.tensorIndex = tensorIndex
    }

    /// Size in bytes of a tensor, with overflow checks: rows must hold whole quantization blocks.
    private static func byteCount(name: String, dimensions: [Int], type: GGMLType) throws -> Int {
        guard dimensions[0] % type.blockSize == 0 else {
            throw GGUFError.invalidTensorShape(
                tensor: name, reason: "row length \(dimensions[0]) is not a multiple of the \(type.name) block size \(type.blockSize)")
        }
        var total = dimensions[0] / type.blockSize * type.bytesPerBlock
        for dimension in dimensions.dropFirst() {
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw GGUFError.invalidTensorShape(tensor: name, reason: "size overflows") }
            total = product
        }
        return total
    }

    private static func readValue(_ reader: inout ByteReader, key: String, depth: Int) throws -> GGUFValue {
        let code = try reader.read(UInt32.self, "type of '\(key)'")
        guard let type = GGUFValueType(rawValue: code) else { throw GGUFError.unknownValueType(key: key, code: code) }
        return try readValue(&reader, type: type, key: key, depth: depth)
    }

    private static func readValue(_ reader: inout ByteReader, type: GGUFValueType, key: String, depth: Int) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try reader.read(UInt8.self, key))
        case .int8: return .int8(try reader.read(Int8.self, key))
        case .uint16: return .uint16(try reader.read(UInt16.self, key))
        case .int16: return .int16(try reader.read(Int16.self, key))
        case .uint32: return .uint32(try reader.read(UInt32.self, key))
        case .int32: return .int32(try reader.read(Int32.self, key))
        case .uint64: return .uint64(try reader.read(UInt64.self, key))
        case .int64: return .int64(try reader.read(Int64.self, key))
        case .float32: return .float32(try reader.readFloat(key))
        case .float64: return .float64(try reader.readDouble(key))
        case .bool: return .bool(try reader.read(UInt8.self, key) != 0)
        case .string: return .string(try reader.readString(key))
        case .array:
            guard depth < maximumArrayNesting else { throw GGUFError.nestingTooDeep(key: key) }
            let elementCode = try reader.read(UInt32.self, "element type of '\(key)'")
            guard let elementType = GGUFValueType(rawValue: elementCode) else {
                throw GGUFError.unknownValueType(key: key, code: elementCode)
            }
            let count = try reader.read(UInt64.self, "length of '\(key)'")
            guard count <= UInt64(reader.remaining / elementType.minimumEncodedSize) else {
                throw GGUFError.implausibleCount(what: "array '\(key)' length", count: count)
            }
            var elements: [GGUFValue] = []
            elements.reserveCapacity(Int(count))
            for _ in 0 ..< Int(count) {
                elements.append(try readValue(&reader, type: elementType, key: key, depth: depth + 1))
            }
            return .array(elements)
        }
    }

    // MARK: - Tensors

    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor's bytes inside the mapping; valid for as long as this file object lives.
    public func bytes(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: mapping.bytes[dataOffset + tensor.offset ..< dataOffset + tensor.offset + tensor.byteCount])
    }

    // MARK: - Typed metadata access

    public var architecture: String? { string("general.architecture") }

    public func string(_ key: String) -> String? { metadata[key]?.stringValue }
    public func int(_ key: String) -> Int? { metadata[key]?.intValue }
    public func float(_ key: String) -> Float? { metadata[key]?.floatValue }
    public func bool(_ key: String) -> Bool? { metadata[key]?.boolValue }

    public func strings(_ key: String) -> [String]? {
        guard let array = metadata[key]?.arrayValue else { return nil }
        var result: [String] = []
        result.reserveCapacity(array.count)
        for element in array {
            guard let string = element.stringValue else { return nil }
            result.append(string)
        }
        return result
    }

    public func ints(_ key: String) -> [Int]? {
        guard let array = metadata[key]?.arrayValue else { return nil }
        var result: [Int] = []
        result.reserveCapacity(array.count)
        for element in array {
            guard let value = element.intValue else { return nil }
            result.append(value)
        }
        return result
    }

    public func floats(_ key: String) -> [Float]? {
        guard let array = metadata[key]?.arrayValue else { return nil }
        var result: [Float] = []
        result.reserveCapacity(array.count)
        for element in array {
            guard let value = element.floatValue else { return nil }
            result.append(value)
        }
        return result
    }
}
