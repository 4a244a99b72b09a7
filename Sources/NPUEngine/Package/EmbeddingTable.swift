import Foundation

/// The package's token embeddings: raw little-endian rows `[vocabulary, hidden]`, memory mapped
/// on the host; a lookup is a row copy (axera.md §3.2). The vendor's table is bf16; a table of
/// fp32 rows (what `axllama convert --embeddings fp32` writes) is accepted as well, so that a
/// package can embed exactly what the CPU engine embeds.
public final class EmbeddingTable: @unchecked Sendable {
    public let vocabularySize: Int
    public let hiddenSize: Int
    /// bf16 or fp32, decided by the file's size: the vendor's formats name no element type
    /// (`filename_tokens_embed`, `tokens_embed_num`, `tokens_embed_size` only, axera.md §3.2), and
    /// the two sizes never coincide, so a vendor package reads exactly as the vendor's runner reads it.
    public let elementType: FloatIOType
    private let data: Data

    /// The element types a table may hold, in the order the size check names them.
    public static let elementTypes: [FloatIOType] = [.bf16, .fp32]

    public init(url: URL, vocabularySize: Int, hiddenSize: Int) throws {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        // The vendor checks the file against num * size * 2 bytes (ax-llm LLMEmbedSelector).
        guard let type = Self.elementTypes.first(where: { data.count == vocabularySize * hiddenSize * $0.byteWidth }) else {
            throw NPUEngineError.embeddingSizeMismatch(path: url.path, bytes: data.count, vocabulary: vocabularySize, hidden: hiddenSize)
        }
        self.data = data
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.elementType = type
    }

    public var rowBytes: Int { hiddenSize * elementType.byteWidth }

    /// Writes the row of `token` in the data type the first layer takes as input
    /// (`hiddenSize × type.byteWidth` bytes): a copy when the types match, so an fp32 table read
    /// by fp32 layers is never rounded.
    public func writeRow(_ token: Int32, as type: FloatIOType, to destination: UnsafeMutableRawPointer) {
        data.withUnsafeBytes { raw in
            type.encode(raw.baseAddress! + Int(token) * rowBytes, of: elementType, count: hiddenSize, to: destination)
        }
    }
}
