import Foundation
import GGUF
import Runtime
import TestSupport
import Tokenizer

/// The committed goldens from `scripts/make-tokenizer-goldens.py` (llama.cpp on the default model).
struct TokenizerGoldens: Decodable {
    struct Case: Decodable {
        let text: String
        let addSpecial: Bool
        let parseSpecial: Bool
        let ids: [Int32]
        let decodedHex: String
        let decodedWithSpecialHex: String
    }

    /// How Python's `regex` cuts the corpus with each split pattern.
    struct Split: Decodable {
        let preTokenizer: String
        let text: String
        let words: [String]
    }

    let model: String
    let preTokenizer: String?
    let vocabularySize: Int
    let cases: [Case]
    let splits: [Split]

    static func load() throws -> TokenizerGoldens {
        guard let url = Bundle.module.url(forResource: "tokenizer-goldens", withExtension: "json", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try JSONDecoder().decode(TokenizerGoldens.self, from: Data(contentsOf: url))
    }
}

/// The default model's tokenizer, built once for all tests that need it.
enum DefaultModelTokenizer {
    /// Read through the runtime's GGUF adapter, as the server reads it.
    static let configuration: TokenizerConfiguration? = {
        guard let url = TestModels.defaultModelURL(), let file = try? GGUFFile(path: url.path) else { return nil }
        return try? TokenizerConfiguration(ggufFile: file)
    }()

    static let tokenizer: BPETokenizer? = configuration.flatMap { try? BPETokenizer(configuration: $0) }

    static var isAvailable: Bool { tokenizer != nil }
}

extension Array where Element == UInt8 {
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self = bytes
    }
}
