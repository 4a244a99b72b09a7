import Tokenizer

/// A byte-level tokenizer with no merges: three ChatML control tokens, then one token per byte.
/// Enough to run the generation pipeline end to end without a model file.
public enum ByteTokenizer {
    public static let endOfText: Int32 = 0
    public static let imStart: Int32 = 1
    public static let imEnd: Int32 = 2
    public static let firstByteToken: Int32 = 3
    public static let vocabularySize = 3 + 256

    public static func make() throws -> BPETokenizer {
        var tokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
        tokens += (0 ..< 256).map { String(byteLevelScalar(UInt8($0))) }
        let types: [TokenType] = [.control, .control, .control] + Array(repeating: .normal, count: 256)
        return try BPETokenizer(configuration: TokenizerConfiguration(
            tokens: tokens, merges: [], tokenTypes: types, preTokenizer: "smollm",
            bosTokenID: imStart, eosTokenID: imEnd, addBOS: false, addEOS: false))
    }

    /// The ids of `text`'s UTF-8 bytes.
    public static func ids(_ text: String) -> [Int32] {
        text.utf8.map { firstByteToken + Int32($0) }
    }

    /// GPT-2's byte-to-character table: printable bytes stand for themselves, the others are
    /// moved to U+0100 and up in byte order.
    private static func byteLevelScalar(_ byte: UInt8) -> Character {
        func isPrintable(_ b: UInt8) -> Bool { (33 ... 126).contains(b) || (161 ... 172).contains(b) || (174 ... 255).contains(b) }
        if isPrintable(byte) { return Character(Unicode.Scalar(byte)) }
        let shifted = (0 ..< Int(byte)).filter { !isPrintable(UInt8($0)) }.count
        return Character(Unicode.Scalar(UInt32(256 + shifted))!)
    }
}
