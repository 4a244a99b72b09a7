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

@Suite("Encoding speed on the default model", .serialized, .enabled(if: DefaultModelTokenizer.isAvailable))
struct EncodingSpeedTests {
    /// A prompt of several thousand tokens with mostly distinct words (so the word cache helps
    /// little) must encode well within the time a request can spend on it.
    @Test func aLongPromptEncodesInWellUnderASecond() throws {
        let configuration = try #require(DefaultModelTokenizer.configuration)
        let tokenizer = try BPETokenizer(configuration: configuration)  // fresh, empty word cache
        var text = ""
        for index in 0..<4_000 {
            text += "word\(index) naïve_\(index * 7919 % 10_007) 日本\(index)! "
        }
        let clock = ContinuousClock()
        var ids: [Int32] = []
        let elapsed = clock.measure { ids = tokenizer.encode(text, addSpecial: false) }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("encoded \(text.utf8.count) bytes into \(ids.count) tokens in \(String(format: "%.3f", seconds)) s (\(Int(Double(ids.count) / seconds)) tokens/s)")
        #expect(ids.count > 40_000)
        #expect(tokenizer.decode(ids) == text)
        #expect(elapsed < .seconds(5))
    }
}
