@testable import Tokenizer

/// Builds small tokenizers for unit tests. Token texts are written in plain UTF-8 and converted to
/// the byte-level alphabet here (a space becomes "Ġ"), as a converter would store them.
enum TinyVocabulary {
    static func byteLevel(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in text.utf8 { scalars.append(ByteLevelAlphabet.scalarForByte[Int(byte)]) }
        return String(scalars)
    }

    /// All 256 single bytes first (ids 0…255, as GPT-2 vocabularies start), then `words`,
    /// then `special` tokens with their types.
    static func configuration(
        words: [String], merges: [(String, String)], special: [(String, TokenType)] = [],
        preTokenizer: String = "gpt-2", addBOS: Bool? = nil, addEOS: Bool? = nil,
        bos: String? = nil, eos: String? = nil, cleanUpSpaces: Bool? = false
    ) -> TokenizerConfiguration {
        var tokens = (0..<256).map { String(ByteLevelAlphabet.scalarForByte[$0]) }
        var types = [TokenType](repeating: .normal, count: 256)
        for word in words {
            tokens.append(byteLevel(word))
            types.append(.normal)
        }
        for (text, type) in special {
            tokens.append(text)
            types.append(type)
        }
        func id(_ text: String?) -> Int32? { text.flatMap { tokens.firstIndex(of: $0) }.map(Int32.init) }
        return TokenizerConfiguration(
            tokens: tokens,
            merges: merges.map { byteLevel($0.0) + " " + byteLevel($0.1) },
            tokenTypes: types,
            preTokenizer: preTokenizer,
            bosTokenID: id(bos), eosTokenID: id(eos),
            addBOS: addBOS, addEOS: addEOS, cleanUpTokenizationSpaces: cleanUpSpaces)
    }

    static func tokenizer(
        words: [String], merges: [(String, String)], special: [(String, TokenType)] = [],
        preTokenizer: String = "gpt-2", addBOS: Bool? = nil, addEOS: Bool? = nil,
        bos: String? = nil, eos: String? = nil, cleanUpSpaces: Bool? = false
    ) throws -> BPETokenizer {
        try BPETokenizer(configuration: configuration(
            words: words, merges: merges, special: special, preTokenizer: preTokenizer,
            addBOS: addBOS, addEOS: addEOS, bos: bos, eos: eos, cleanUpSpaces: cleanUpSpaces))
    }
}

extension BPETokenizer {
    /// The plain-text pieces of `ids`, for readable expectations.
    func pieces(_ ids: [Int32]) -> [String] {
        ids.map { String(decoding: tokenBytes($0), as: UTF8.self) }
    }
}
