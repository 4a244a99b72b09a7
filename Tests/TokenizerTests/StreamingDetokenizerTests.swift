import Testing
@testable import Tokenizer

struct StreamingDetokenizerTests {
    private let tokenizer: BPETokenizer

    init() throws {
        tokenizer = try TinyVocabulary.tokenizer(
            words: ["caf", " \u{1F600}"], merges: [], special: [("<|im_end|>", .control)])
    }

    @Test func aCharacterSplitAcrossTokensComesOutWhole() {
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(stream.append(256) == "caf")
        #expect(stream.append(0xC3) == "")
        #expect(stream.heldBackByteCount == 1)
        #expect(stream.append(0xA9) == "é")
        #expect(stream.heldBackByteCount == 0)
    }

    @Test func aFourByteEmojiFedByteByByteAppearsOnlyWhenComplete() {
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        let bytes: [Int32] = [0xF0, 0x9F, 0x98, 0x80]
        var outputs = bytes.map { stream.append($0) }
        outputs.append(stream.finish())
        #expect(outputs == ["", "", "", "\u{1F600}", ""])
    }

    @Test func textBeforeAnUnfinishedCharacterIsNotDelayed() {
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        // " 😀" then "a" + first byte of "é": "a" is returned at once, the lead byte waits.
        #expect(stream.append(257) == " \u{1F600}")
        #expect(stream.append(0x61) == "a")
        #expect(stream.append(0xC3) == "")
        #expect(stream.append(0xA9) == "é")
    }

    @Test func bytesThatCanNeverCompleteBecomeReplacementCharacters() {
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(stream.append(0xE2) == "")
        #expect(stream.append(0x41) == "\u{FFFD}A")
        #expect(stream.append(0xC3) == "")
        #expect(stream.finish() == "\u{FFFD}")
        #expect(stream.heldBackByteCount == 0)
    }

    @Test func controlTokensAreHiddenUnlessRenderingIsAsked() {
        var hidden = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(hidden.append(258) == "")
        var shown = StreamingDetokenizer(tokenizer: tokenizer, renderControlTokens: true)
        #expect(shown.append(258) == "<|im_end|>")
    }

    @Test func streamedTextEqualsDecodedTextForEveryPrefix() {
        let text = "café 😀 naïve 日本"
        let ids = tokenizer.encode(text)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        var streamed = ""
        for id in ids {
            streamed += stream.append(id)
            #expect(!streamed.unicodeScalars.contains("\u{FFFD}"))
        }
        streamed += stream.finish()
        #expect(streamed == text)
    }
}
