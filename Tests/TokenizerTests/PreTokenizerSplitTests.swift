import Testing
@testable import Tokenizer

/// Words as a pre-tokenizer cuts them, for hand-checked examples of each llama.cpp split.
private func words(_ text: String, _ preTokenizer: PreTokenizer) -> [String] {
    let scalars = Array(text.unicodeScalars)
    let ends = preTokenizer.split(scalars, classes: scalars.map(ScalarClass.init))
    var start = 0
    return ends.map { end in
        defer { start = end }
        var word = String.UnicodeScalarView()
        word.append(contentsOf: scalars[start..<end])
        return String(word)
    }
}

struct PreTokenizerSplitTests {
    @Test func gpt2KeepsOneLeadingSpaceWithEachWord() {
        #expect(words("Hello world", .gpt2) == ["Hello", " world"])
        #expect(words("x 123 !!", .gpt2) == ["x", " 123", " !!"])
    }

    @Test func gpt2LeavesTheLastSpaceOfARunToTheNextWord() {
        #expect(words("a   b", .gpt2) == ["a", "  ", " b"])
        #expect(words("end  ", .gpt2) == ["end", "  "])
        #expect(words("a\n\nb", .gpt2) == ["a", "\n", "\n", "b"])
    }

    @Test func gpt2ContractionsAreCaseSensitive() {
        #expect(words("I'm here", .gpt2) == ["I", "'m", " here"])
        #expect(words("I'M", .gpt2) == ["I", "'", "M"])
        #expect(words("we'll they've", .gpt2) == ["we", "'ll", " they", "'ve"])
    }

    @Test func smollmIsolatesEveryDigitBeforeTheGPT2Split() {
        #expect(words("x 123", .smollm) == ["x", " ", "1", "2", "3"])
        // The digit cut ends the piece, so the whole space run stays together.
        #expect(words("a  1", .smollm) == ["a", "  ", "1"])
        #expect(words("\u{661}\u{662} \u{B2}", .smollm) == ["\u{661}", "\u{662}", " ", "\u{B2}"])
    }

    @Test func llama3GroupsDigitsInThrees() {
        #expect(words("12345", .llama3) == ["123", "45"])
        #expect(words("$1000000", .llama3) == ["$", "100", "000", "0"])
    }

    @Test func qwen2SplitsDigitsOneByOne() {
        #expect(words("2024", .qwen2) == ["2", "0", "2", "4"])
    }

    @Test func llama3ContractionsIgnoreCase() {
        #expect(words("I'M YOU'RE", .llama3) == ["I", "'M", " YOU", "'RE"])
    }

    @Test func llama3AttachesOnePrecedingSymbolToAWord() {
        #expect(words("(hello) world", .llama3) == ["(hello", ")", " world"])
        #expect(words("...hello", .llama3) == ["...", "hello"])
    }

    @Test func llama3KeepsLineBreaksWithPunctuationAndWhitespace() {
        #expect(words("hi!\n\nyes", .llama3) == ["hi", "!\n\n", "yes"])
        #expect(words("a  \n  b", .llama3) == ["a", "  \n", " ", " b"])
        #expect(words("x\r\n\r\ny", .llama3) == ["x", "\r\n\r\n", "y"])
    }

    @Test func unicodeLettersMarksAndSpacesFollowTheirCategories() {
        #expect(words("世界 ok", .gpt2) == ["世界", " ok"])
        // A combining mark is neither letter nor number.
        #expect(words("e\u{301}x", .gpt2) == ["e", "\u{301}", "x"])
        // U+3000 is whitespace; U+00A0 too.
        #expect(words("a\u{3000}b", .llama3) == ["a", "\u{3000}b"])
        #expect(words("\u{1F600}\u{1F600} hi", .gpt2) == ["\u{1F600}\u{1F600}", " hi"])
    }

    @Test func fallbackCutsPunctuationThenWordsThenNumbersThenDigitTriples() {
        #expect(words("a,b 1234", .fallback) == ["a", ",", "b", " ", "123", "4"])
    }

    /// Not model-dependent: the committed goldens hold the reference splits of the corpus.
    @Test func scannersCutTheCorpusAsTheReferenceRegexesDo() throws {
        let splits = try TokenizerGoldens.load().splits
        #expect(splits.count >= 3 * 60)
        for split in splits {
            let preTokenizer = try #require(PreTokenizer(rawValue: split.preTokenizer))
            #expect(words(split.text, preTokenizer) == split.words, "\(split.preTokenizer): \(split.text.debugDescription)")
        }
    }

    @Test func ggufNamesMapOntoTheirSplits() {
        #expect(PreTokenizer(ggufName: "smollm") == .smollm)
        #expect(PreTokenizer(ggufName: "qwen2") == .qwen2)
        #expect(PreTokenizer(ggufName: "llama-bpe") == .llama3)
        #expect(PreTokenizer(ggufName: "gpt-2") == .gpt2)
        #expect(PreTokenizer(ggufName: "some-future-model") == .fallback)
        #expect(PreTokenizer(ggufName: nil) == .fallback)
    }
}
