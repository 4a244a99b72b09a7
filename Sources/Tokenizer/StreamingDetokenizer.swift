/// Turns generated tokens into text one token at a time. A token can end in the middle of a
/// multi-byte UTF-8 character (byte-level BPE splits emoji and CJK across tokens), so the bytes of
/// an unfinished character are held back until the token that completes them arrives: the caller
/// never sees half a character, nor a U+FFFD for a character that completes later.
///
/// Unlike `BPETokenizer.decode`, no space clean-up is applied: streamed text is the concatenation
/// of the token pieces, as llama.cpp's server streams it.
public struct StreamingDetokenizer: Sendable {
    private let tokenizer: BPETokenizer
    private let renderControlTokens: Bool
    private var pending: [UInt8] = []

    /// `renderControlTokens` spells out control tokens (`<|im_end|>`) instead of hiding them.
    public init(tokenizer: BPETokenizer, renderControlTokens: Bool = false) {
        self.tokenizer = tokenizer
        self.renderControlTokens = renderControlTokens
    }

    /// Bytes received but not yet returned because they may be the start of a character.
    public var heldBackByteCount: Int { pending.count }

    /// The text that became complete with `token`; empty while a character is still unfinished.
    public mutating func append(_ token: Int32) -> String {
        pending.append(contentsOf: tokenizer.pieceBytes(token, renderSpecial: renderControlTokens))
        let complete = Self.completePrefixLength(pending)
        guard complete > 0 else { return "" }
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Ends the stream: bytes still held back can no longer complete and come out as U+FFFD.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest prefix that does not end inside a character that more bytes could
    /// still complete. Malformed bytes are not held back: they can never become valid.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        var index = bytes.count - 1
        var continuationBytes = 0
        while index >= 0 && continuationBytes < 3 && bytes[index] & 0xC0 == 0x80 {
            continuationBytes += 1
            index -= 1
        }
        guard index >= 0 else { return bytes.count }
        let lead = bytes[index]
        let expected: Int
        switch lead {
        case 0xC2...0xDF: expected = 2
        case 0xE0...0xEF: expected = 3
        case 0xF0...0xF4: expected = 4
        default: return bytes.count
        }
        return continuationBytes + 1 < expected ? index : bytes.count
    }
}
