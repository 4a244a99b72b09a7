import Testing
@testable import Tokenizer

struct BPEMergeTests {
    @Test func byteLevelAlphabetMatchesGPT2() {
        #expect(ByteLevelAlphabet.scalarForByte[0x20] == "\u{120}")  // space → Ġ
        #expect(ByteLevelAlphabet.scalarForByte[0x0A] == "\u{10A}")  // newline → Ċ
        #expect(ByteLevelAlphabet.scalarForByte[0x00] == "\u{100}")
        #expect(ByteLevelAlphabet.scalarForByte[0xAD] == "\u{143}")
        #expect(ByteLevelAlphabet.scalarForByte[0x41] == "A")
        for byte in 0..<256 {
            #expect(ByteLevelAlphabet.byte(for: ByteLevelAlphabet.scalarForByte[byte]) == UInt8(byte))
        }
    }

    @Test func lowerRankMergesFirst() throws {
        let bcFirst = try TinyVocabulary.tokenizer(words: ["ab", "bc"], merges: [("b", "c"), ("a", "b")])
        #expect(bcFirst.pieces(bcFirst.encode("abc")) == ["a", "bc"])
        let abFirst = try TinyVocabulary.tokenizer(words: ["ab", "bc"], merges: [("a", "b"), ("b", "c")])
        #expect(abFirst.pieces(abFirst.encode("abc")) == ["ab", "c"])
    }

    @Test func equalRanksMergeLeftmostFirst() throws {
        let tokenizer = try TinyVocabulary.tokenizer(words: ["aa"], merges: [("a", "a")])
        #expect(tokenizer.pieces(tokenizer.encode("aaa")) == ["aa", "a"])
        #expect(tokenizer.pieces(tokenizer.encode("aaaa")) == ["aa", "aa"])
    }

    @Test func mergesChainIntoWholeWords() throws {
        let tokenizer = try TinyVocabulary.tokenizer(
            words: ["he", "ll", "hell", "hello", " w", " wo", " wor", " worl", " world"],
            merges: [("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"), (" ", "w"), (" w", "o"),
                     (" wo", "r"), (" wor", "l"), (" worl", "d")])
        let ids = tokenizer.encode("hello world")
        #expect(tokenizer.pieces(ids) == ["hello", " world"])
        #expect(ids == [256 + 3, 256 + 8])
        #expect(tokenizer.decode(ids) == "hello world")
    }

    @Test func mergedPieceOutsideTheVocabularyFallsBackToSingleBytes() throws {
        // "a b" merges although "ab" is no token; llama.cpp then emits each byte's own token.
        let tokenizer = try TinyVocabulary.tokenizer(words: [], merges: [("a", "b")])
        #expect(tokenizer.pieces(tokenizer.encode("ab")) == ["a", "b"])
    }

    @Test func controlTokensAreMatchedOnlyWhenParsingSpecial() throws {
        let tokenizer = try TinyVocabulary.tokenizer(
            words: [], merges: [], special: [("<|start|>", .control), ("<|start|>x", .userDefined)])
        let control = Int32(256), userDefined = Int32(257)
        #expect(tokenizer.encode("<|start|>", parseSpecial: true) == [control])
        #expect(!tokenizer.encode("<|start|>", parseSpecial: false).contains(control))
        // User-defined tokens are always matched, and the longest text wins.
        #expect(tokenizer.encode("a<|start|>x", parseSpecial: false).last == userDefined)
        #expect(tokenizer.encode("<|start|>x<|start|>", parseSpecial: true) == [userDefined, control])
    }

    @Test func bosAndEOSAreAddedOnlyWithAddSpecial() throws {
        let tokenizer = try TinyVocabulary.tokenizer(
            words: [], merges: [], special: [("<s>", .control), ("</s>", .control)],
            addBOS: true, addEOS: true, bos: "<s>", eos: "</s>")
        #expect(tokenizer.encode("a", addSpecial: true) == [256, 97, 257])
        #expect(tokenizer.encode("a", addSpecial: false) == [97])
        #expect(tokenizer.isEndOfGeneration(257))
        #expect(!tokenizer.isEndOfGeneration(256))
    }

    @Test func llama3AddsBOSByDefaultAndTakesWholeKnownWords() throws {
        // "abc" is a token but no merge reaches it: Llama-3 uses it whole, GPT-2 cannot.
        let llama = try TinyVocabulary.tokenizer(
            words: ["abc"], merges: [], special: [("<|begin_of_text|>", .control)],
            preTokenizer: "llama-bpe", bos: "<|begin_of_text|>")
        #expect(llama.pieces(llama.encode("abc")) == ["<|begin_of_text|>", "abc"])
        let gpt2 = try TinyVocabulary.tokenizer(words: ["abc"], merges: [])
        #expect(gpt2.pieces(gpt2.encode("abc")) == ["a", "b", "c"])
    }

    @Test func endOfTurnTokensAreFoundByTheirText() throws {
        let tokenizer = try TinyVocabulary.tokenizer(words: [], merges: [], special: [("<|im_end|>", .userDefined)])
        #expect(tokenizer.eotTokenID == 256)
        #expect(tokenizer.isEndOfGeneration(256))
        // Treated as a control token: hidden in decoded text, matched only when parsing special.
        #expect(tokenizer.decode([256]) == "")
        #expect(tokenizer.decode([256], renderSpecial: true) == "<|im_end|>")
    }

    @Test func decodingCleansSpacesBeforePunctuationWhenAsked() throws {
        let words = [" ,", " .", " 's"]
        let cleaning = try TinyVocabulary.tokenizer(words: words, merges: [], cleanUpSpaces: true)
        let ids: [Int32] = [104, 105, 256, 257, 258]  // "hi" " ," " ." " 's"
        #expect(cleaning.decode(ids) == "hi,.'s")
        let keeping = try TinyVocabulary.tokenizer(words: words, merges: [], cleanUpSpaces: false)
        #expect(keeping.decode(ids) == "hi , . 's")
    }

    @Test func duplicateTokensAreRejected() {
        let configuration = TokenizerConfiguration(tokens: ["a", "b", "a"], merges: [], preTokenizer: "gpt-2")
        #expect(throws: TokenizerError.duplicateToken("a", firstID: 0, secondID: 2)) {
            try BPETokenizer(configuration: configuration)
        }
    }

    @Test func tokenBytesAreTheRawBytesOfAPiece() throws {
        let tokenizer = try TinyVocabulary.tokenizer(words: [" é"], merges: [])
        #expect(tokenizer.tokenBytes(256) == [0x20, 0xC3, 0xA9])
        #expect(tokenizer.tokenBytes(0xC3) == [0xC3])
        #expect(tokenizer.tokenBytes(9999).isEmpty)
    }
}
