import Foundation
import Testing
@testable import Runtime

@Suite struct GrammarJSONTests {
    let value = GrammarProbe(.jsonValue)
    let object = GrammarProbe(.jsonObject)

    @Test(arguments: [
        "{}", "[]", "\"\"", "0", "-0", "12", "-12.5", "1e5", "1E+5", "2.5e-3", "-0.0e0", "true", "false", "null",
        "{\"a\":[{}]}", "[[],[[]],{}]", "{\"a\":{\"b\":{\"c\":[]}}}",
        "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\"\\u00e9\\u20AC\"", "\"\\ud83d\\ude00\"", "\"\\uD83D\\uDE00 ok\"",
        "\"añ世🙂\"", "\"tab\\tinside\"",
        "{ \"a\" : 1 , \"b\" : [ 1 , 2 ] }", "{\n  \"a\": 1,\n  \"b\": [\n    true\n  ]\n}", "[\n\n\t1]",
        "9999999999999999", "0.1234567890123456",
    ])
    func acceptsValidJSON(_ text: String) {
        #expect(value.accepts(text), "\(text)")
        #expect(parseJSON(text) != nil, "the test case itself must be JSON: \(text)")
    }

    @Test(arguments: [
        "01", "-", "1.", ".5", "1e", "1e+", "+1", "00", "-01", "1.5.2", "0x10",
        "[1,]", "{\"a\":1,}", "[,1]", "{,}", "{a:1}", "{'a':1}", "{\"a\" 1}", "{\"a\":}", "[1 2]",
        "\"\u{01}\"", "\"a\nb\"", "\"\\x41\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"",
        "tru", "True", "nul", "NaN", "Infinity", "{}}", "[]]", " {}", "{} ",
        "12345678901234567", "1.12345678901234567",
    ])
    func rejectsInvalidJSON(_ text: String) {
        #expect(!value.accepts(text), "\(text)")
    }

    @Test func invalidContinuationsAreRejectedAtTheFirstBadByte() {
        #expect(value.isPrefix("{\"a\":[1,"))
        #expect(!value.isPrefix("{\"a\":[1,]"))
        #expect(value.isPrefix("0"))
        #expect(!value.isPrefix("01"))
        #expect(!value.isPrefix("{a"))
        #expect(value.isPrefix("\"\\ud83d"))
        #expect(!value.isPrefix("\"\\ud83d\""))
        #expect(!value.isPrefix("\"\u{7F}"))
    }

    @Test func invalidUTF8InsideStringsIsRejected() {
        let probe = value
        func accepts(_ bytes: [UInt8]) -> Bool {
            let state = probe.automaton.next(probe.automaton.start, bytes)
            return state != GrammarAutomaton.dead && probe.automaton.isAccepting(state)
        }
        #expect(accepts([0x22, 0xC3, 0xA9, 0x22]))          // é
        #expect(!accepts([0x22, 0xC3, 0x22]))               // truncated sequence
        #expect(!accepts([0x22, 0xC0, 0xAF, 0x22]))         // overlong
        #expect(!accepts([0x22, 0xED, 0xA0, 0x80, 0x22]))   // encoded surrogate
        #expect(!accepts([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22])) // above U+10FFFF
        #expect(!accepts([0x22, 0x80, 0x22]))               // stray continuation byte
    }

    @Test func formatJSONWantsAnObjectAtTheTop() {
        #expect(object.accepts("{}"))
        #expect(object.accepts("{\"list\": [1, \"x\", null]}"))
        #expect(!object.accepts("[]"))
        #expect(!object.accepts("\"text\""))
        #expect(!object.accepts("1"))
    }

    @Test func whitespaceIsBoundedSoAModelCannotLoopOnIt() {
        #expect(value.accepts("[" + String(repeating: " ", count: 1) + "1]"))
        #expect(value.accepts("[\n\n" + String(repeating: " ", count: 20) + "1]"))
        #expect(!value.isPrefix("[\n\n" + String(repeating: " ", count: 21)))
        #expect(!value.isPrefix("[  "))
        #expect(!value.isPrefix("[\n\n\n"))
    }

    @Test func completeValueMustEndTheOutput() {
        let state = object.state(after: "{\"a\":1}")
        #expect(object.automaton.isAccepting(state))
        #expect(!object.automaton.canContinue(state))
        // A top-level number is complete but may still grow.
        let number = value.state(after: "12")
        #expect(value.automaton.isAccepting(number))
        #expect(value.automaton.canContinue(number))
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: Grammar.maximumNesting + 5)
        #expect(!value.isPrefix(deep))
        #expect(value.isPrefix(String(repeating: "[", count: 60)))
    }
}
