import Foundation
import Testing
import Tokenizer

@Suite("llama.cpp goldens on the default model", .serialized, .enabled(if: DefaultModelTokenizer.isAvailable))
struct GoldenTokenizationTests {
    @Test func everyGoldenEncodesToLlamaCppIds() throws {
        let goldens = try TokenizerGoldens.load()
        let tokenizer = try #require(DefaultModelTokenizer.tokenizer)
        #expect(goldens.cases.count >= 120)
        #expect(tokenizer.vocabularySize == goldens.vocabularySize)
        for golden in goldens.cases {
            let ids = tokenizer.encode(golden.text, addSpecial: golden.addSpecial, parseSpecial: golden.parseSpecial)
            #expect(ids == golden.ids, "text \(golden.text.debugDescription) parseSpecial \(golden.parseSpecial)")
        }
    }

    @Test func everyGoldenDecodesToLlamaCppText() throws {
        let goldens = try TokenizerGoldens.load()
        let tokenizer = try #require(DefaultModelTokenizer.tokenizer)
        for golden in goldens.cases {
            let plain = tokenizer.decode(golden.ids)
            let special = tokenizer.decode(golden.ids, renderSpecial: true)
            #expect(Array(plain.utf8) == [UInt8](hex: golden.decodedHex), "ids \(golden.ids)")
            #expect(Array(special.utf8) == [UInt8](hex: golden.decodedWithSpecialHex), "ids \(golden.ids)")
        }
    }
}
