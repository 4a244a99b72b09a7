/// Where one tensor lives in the file and how it is laid out.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml order: `dimensions[0]` is the innermost, contiguous dimension (a weight matrix's
    /// input width); `dimensions[1]` counts its rows.
    public let dimensions: [Int]
    public let type: GGMLType
    /// Byte offset from the start of the data section.
    public let offset: Int
    public let byteCount: Int

    public var elementCount: Int { dimensions.reduce(1, *) }
    /// Elements in one row (`dimensions[0]`).
    public var rowLength: Int { dimensions.first ?? 1 }
    /// Number of rows: the product of every dimension after the first.
    public var rowCount: Int { dimensions.dropFirst().reduce(1, *) }
    /// Bytes one row occupies.
    public var bytesPerRow: Int { rowLength / type.blockSize * type.bytesPerBlock }
}
