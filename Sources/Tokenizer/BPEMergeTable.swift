/// The vocabulary and merge rules in the form the merge loop needs: pieces are identified by small
/// integers instead of strings. Ids below the vocabulary size are the tokens themselves; pieces that
/// only occur inside merge rules (or single bytes missing from the vocabulary) get ids above it, so
/// a merge rule applies even when its parts are not tokens, as in llama.cpp.
struct BPEMergeTable: Sendable {
    struct Merge: Sendable {
        let rank: Int32
        let result: Int32
    }

    let vocabularySize: Int
    /// Piece id of every raw byte on its own.
    let singleBytePiece: [Int32]
    /// Keyed by `left << 32 | right` piece ids.
    private let merges: [UInt64: Merge]
    /// Raw bytes → piece id, for every byte-level-encodable token and every extra piece.
    let pieceByBytes: [[UInt8]: Int32]
    /// The token whose text is exactly one given byte (llama.cpp's last-resort lookup for a symbol
    /// that is not a token: it looks up each byte of the encoded symbol on its own).
    let tokenWithSingleByteText: [Int32?]

    init(tokens: [String], merges mergeRules: [String]) {
        vocabularySize = tokens.count
        var pieceByBytes: [[UInt8]: Int32] = [:]
        pieceByBytes.reserveCapacity(tokens.count + 512)
        var singleByteText = [Int32?](repeating: nil, count: 256)
        for (id, text) in tokens.enumerated() {
            if let bytes = ByteLevelAlphabet.bytes(of: text), pieceByBytes[bytes] == nil {
                pieceByBytes[bytes] = Int32(id)
            }
            let utf8 = Array(text.utf8)
            if utf8.count == 1 { singleByteText[Int(utf8[0])] = Int32(id) }
        }
        var nextExtra = Int32(tokens.count)
        func pieceID(_ bytes: [UInt8]) -> Int32 {
            if let id = pieceByBytes[bytes] { return id }
            pieceByBytes[bytes] = nextExtra
            nextExtra += 1
            return nextExtra - 1
        }
        var singles = [Int32](repeating: 0, count: 256)
        for byte in 0..<256 { singles[byte] = pieceID([UInt8(byte)]) }
        singleBytePiece = singles

        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(mergeRules.count)
        for (rank, rule) in mergeRules.enumerated() {
            // Split at the first space after the first character (llama.cpp llama-vocab); the
            // byte-level alphabet has no spaces, so a rule has exactly one.
            let utf8 = Array(rule.utf8)
            guard utf8.count > 1, let space = utf8[1...].firstIndex(of: 0x20) else { continue }
            guard let left = ByteLevelAlphabet.bytes(of: String(decoding: utf8[..<space], as: UTF8.self)),
                  let right = ByteLevelAlphabet.bytes(of: String(decoding: utf8[(space + 1)...], as: UTF8.self)),
                  !left.isEmpty, !right.isEmpty
            else { continue }
            let key = UInt64(UInt32(bitPattern: pieceID(left))) << 32 | UInt64(UInt32(bitPattern: pieceID(right)))
            if table[key] == nil {
                table[key] = Merge(rank: Int32(rank), result: pieceID(left + right))
            }
        }
        self.merges = table
        self.pieceByBytes = pieceByBytes
        self.tokenWithSingleByteText = singleByteText
    }

    @inline(__always)
    func merge(_ left: Int32, _ right: Int32) -> Merge? {
        merges[UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))]
    }

    @inline(__always)
    func isToken(_ piece: Int32) -> Bool { Int(piece) < vocabularySize }
}
