import Testing
@testable import Runtime

@Suite struct SamplingStopSequenceTests {
    /// Feeds `pieces` and returns what would be shown, and whether a stop ended it.
    private func run(_ stops: [String], _ pieces: [String]) -> (shown: [String], stopped: Bool) {
        var matcher = StopSequenceMatcher(stops: stops)
        var shown: [String] = []
        for piece in pieces {
            let step = matcher.feed(piece)
            shown.append(step.text)
            if step.stopped { return (shown, true) }
        }
        shown.append(matcher.finish())
        return (shown, false)
    }

    @Test func textWithoutStopsPassesThroughAtOnce() {
        let result = run([], ["Hello", ", ", "world"])
        #expect(result.shown == ["Hello", ", ", "world", ""])
        #expect(!result.stopped)
    }

    @Test func stopInsideOnePieceCutsBeforeIt() {
        var matcher = StopSequenceMatcher(stops: ["END"])
        let step = matcher.feed("abcENDdef")
        #expect(step == StopSequenceMatcher.Step(text: "abc", stopped: true, stopSequence: "END"))
        #expect(matcher.isStopped)
        #expect(matcher.feed("more") == StopSequenceMatcher.Step(text: "", stopped: true))
        #expect(matcher.finish() == "")
    }

    @Test func stopSpanningSeveralPiecesIsFoundAndNeverShown() {
        let result = run(["<|im_end|>"], ["Sure", "!<|", "im", "_", "end", "|>", "ignored"])
        #expect(result.stopped)
        #expect(result.shown.joined() == "Sure!")
        #expect(!result.shown.joined().contains("<|"))
    }

    @Test func possibleStopPrefixIsHeldBackUntilSettled() {
        var matcher = StopSequenceMatcher(stops: ["\n\nUser:"])
        #expect(matcher.feed("Answer.\n").text == "Answer.")
        #expect(matcher.heldBack == "\n")
        #expect(matcher.feed("\nUs").text == "")
        #expect(matcher.heldBack == "\n\nUs")
        // Not the stop after all: everything held back is released, in order.
        #expect(matcher.feed("ually").text == "\n\nUsually")
        #expect(matcher.heldBack == "")
    }

    @Test func heldBackTextIsFlushedAtTheEnd() {
        let result = run(["STOP"], ["the end: ST"])
        #expect(!result.stopped)
        #expect(result.shown == ["the end: ", "ST"])
    }

    @Test func earliestOfSeveralStopsWins() {
        var matcher = StopSequenceMatcher(stops: ["world", "lo, w"])
        let step = matcher.feed("Hello, world")
        #expect(step.text == "Hel")
        #expect(step.stopSequence == "lo, w")
    }

    @Test func heldBackCoversTheLongestPossibleStopPrefix() {
        var matcher = StopSequenceMatcher(stops: ["ab", "xyz"])
        #expect(matcher.feed("1xy").text == "1")
        #expect(matcher.feed("a").text == "xy")
        #expect(matcher.heldBack == "a")
        #expect(matcher.feed("b").stopped)
    }

    @Test func overlappingPartialMatchStillFindsTheStop() {
        // "aab" contains the stop "ab" starting at the second character.
        let result = run(["ab"], ["a", "a", "b"])
        #expect(result.stopped)
        #expect(result.shown.joined() == "a")
    }

    @Test func emptyStopStringsAreIgnored() {
        let result = run(["", "zz"], ["abc"])
        #expect(!result.stopped)
        #expect(result.shown.joined() == "abc")
    }

    @Test func multiByteCharactersAreNeverSplit() {
        let result = run(["終わり"], ["これで", "終", "わ", "り。", "続き"])
        #expect(result.stopped)
        #expect(result.shown.joined() == "これで")

        let released = run(["🙂🙃"], ["ok 🙂", " fine"])
        #expect(released.shown == ["ok ", "🙂 fine", ""])
    }

    @Test func emojiStopIsFoundAcrossPieces() {
        let result = run(["👋🏽"], ["hi ", "👋", "🏽 there"])
        #expect(result.stopped)
        #expect(result.shown.joined() == "hi ")
    }

    @Test func matchingIsExactOnScalarsNotCanonicalEquivalence() {
        // "é" precomposed (U+00E9) is not the stop "e\u{301}": Ollama compares bytes.
        let result = run(["e\u{301}"], ["caf\u{E9}"])
        #expect(!result.stopped)
        #expect(result.shown.joined().unicodeScalars.elementsEqual("caf\u{E9}".unicodeScalars))
    }
}
