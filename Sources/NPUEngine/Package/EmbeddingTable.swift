import Foundation

/// The package's token embeddings: raw little-endian bf16 rows `[vocabulary, hidden]`, memory
/// mapped on the host; a lookup is a row copy (axera.md §3.2).
public final class EmbeddingTable: @unchecked Sendable {
    public let vocabularySize: Int
    public let hiddenSize: Int
    private let data: Data

    public init(url: URL, vocabularySize: Int, hiddenSize: Int) throws {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        // The vendor checks the file against num * size * 2 bytes (ax-llm LLMEmbedSelector).
        guard data.count == vocabularySize * hiddenSize * 2 else {
            throw NPUEngineError.embeddingSizeMismatch(path: url.path, bytes: data.count, vocabulary: vocabularySize, hidden: hiddenSize)
        }
        self.data = data
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
    }

    public var rowBytes: Int { hiddenSize * 2 }

    /// Copies the bf16 row of `token` to `destination` (`rowBytes` bytes).
    public func copyRow(_ token: Int32, to destination: UnsafeMutableRawPointer) {
        data.withUnsafeBytes { raw in
            destination.copyMemory(from: raw.baseAddress! + Int(token) * rowBytes, byteCount: rowBytes)
        }
    }

    /// Writes the row of `token` in the data type the first layer takes as input
    /// (`hiddenSize × type.byteWidth` bytes).
    public func writeRow(_ token: Int32, as type: FloatIOType, to destination: UnsafeMutableRawPointer) {
        data.withUnsafeBytes { raw in
            let row = (raw.baseAddress! + Int(token) * rowBytes).assumingMemoryBound(to: UInt16.self)
            type.encode(bf16: row, count: hiddenSize, to: destination)
        }
    }
}
