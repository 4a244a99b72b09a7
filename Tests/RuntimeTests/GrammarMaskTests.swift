import EngineInterface
import Testing
import TestSupport
@testable import Runtime

@Suite struct GrammarMaskTests {
    /// Every byte, JSON-ish multi-byte pieces, and pieces that are only sometimes valid.
    static func vocabulary() -> (tokens: [[UInt8]], endOfGeneration: TokenID, control: TokenID) {
        var tokens: [[UInt8]] = [Array("<|end|>".utf8), Array("<|im_start|>".utf8)]
        tokens += (0 ... 255).map { [UInt8($0)] }
        let pieces = ["{\"", "\":", "\",", "\"}", "}}", "]}", "[{", "true", "false", "null", "nul", " \"", ", \"",
                      "name", "age", "email", "Ada", "\":\"", "\",\"", "12", "-0", "01", "1.5", "e+", "\\u", "\\ud83d",
                      "\\n", "é", "世界", "\n  ", "    ", "{}", "[]", "\"\"", "},{\"", "\":[", "a\"b", "🙂\""]
        tokens += pieces.map { Array($0.utf8) }
        tokens.append(Array("{\"".utf8)) // a duplicate spelling
        return (tokens, 0, 1)
    }

    static let person = """
        {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0,"maximum":150},
         "email":{"type":"string"},"tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":2}},"required":["name","age"]}
        """

    @Test(arguments: [
        (Grammar.jsonObject, ["", "{", "{\"", "{\"a", "{\"a\":", "{\"a\": [1, {\"b\":\"\\u", "{\"a\":1}"]),
        (try! Grammar.jsonSchema(text: person), ["", "{", "{\"name\":\"A", "{\"name\":\"Ada\",", "{\"name\":\"Ada\",\"age\":1", "{\"name\":\"Ada\",\"age\":15,\"tags\":[\"a\","]),
    ])
    func trieWalkAgreesWithCheckingEveryToken(grammar: Grammar, prefixes: [String]) throws {
        let (tokens, endOfGeneration, control) = Self.vocabulary()
        let trie = TokenTrie(tokens: tokens, endOfGeneration: [endOfGeneration], unmatched: [control])
        for prefix in prefixes {
            let matcher = GrammarMatcher(constraint: OutputConstraint(grammar: grammar), vocabulary: trie)
            let probe = GrammarAutomaton(grammar: grammar)
            let state = probe.next(probe.start, Array(prefix.utf8))
            try #require(state != GrammarAutomaton.dead, "\(prefix)")
            for byte in prefix.utf8 { try matcher.accept(TokenID(2 + Int(byte))) }
            let mask = try matcher.allowedTokens()
            for (id, token) in tokens.enumerated() {
                let expected: Bool
                if id == endOfGeneration {
                    expected = probe.isAccepting(state)
                } else if id == control {
                    expected = false
                } else {
                    expected = probe.next(state, token) != GrammarAutomaton.dead
                }
                #expect(mask.contains(TokenID(id)) == expected, "token \(String(decoding: token, as: UTF8.self)) after \(prefix)")
            }
        }
    }

    @Test func endOfGenerationIsAllowedOnlyWhenTheValueIsComplete() throws {
        let (tokens, endOfGeneration, _) = Self.vocabulary()
        let trie = TokenTrie(tokens: tokens, endOfGeneration: [endOfGeneration])
        let matcher = GrammarMatcher(constraint: OutputConstraint(grammar: .jsonValue), vocabulary: trie)
        for byte in "12".utf8 { try matcher.accept(TokenID(2 + Int(byte))) }
        #expect(try matcher.allowedTokens().contains(endOfGeneration))
        #expect(matcher.isComplete && !matcher.mustEnd)
        let open = GrammarMatcher(constraint: OutputConstraint(grammar: .jsonValue), vocabulary: trie)
        try open.accept(TokenID(2 + Int(UInt8(ascii: "["))))
        #expect(!(try open.allowedTokens().contains(endOfGeneration)))
        #expect(throws: GrammarError.self) { try open.accept(endOfGeneration) }
    }

    @Test func rejectedTokenIsReportedWithTheOutputSoFar() throws {
        let (tokens, endOfGeneration, _) = Self.vocabulary()
        let matcher = GrammarMatcher(constraint: OutputConstraint(grammar: .jsonObject), vocabulary: TokenTrie(tokens: tokens, endOfGeneration: [endOfGeneration]))
        try matcher.accept(TokenID(2 + Int(UInt8(ascii: "{"))))
        do {
            try matcher.accept(TokenID(2 + Int(UInt8(ascii: "x"))))
            Issue.record("an invalid token must be rejected")
        } catch {
            #expect(error.description.contains("after \"{\""))
        }
    }

    @Test func maskSetsDisallowedLogitsToMinusInfinity() throws {
        let (tokens, endOfGeneration, _) = Self.vocabulary()
        let trie = TokenTrie(tokens: tokens, endOfGeneration: [endOfGeneration])
        let matcher = GrammarMatcher(constraint: OutputConstraint(grammar: .jsonObject), vocabulary: trie)
        var logits = [Float](repeating: 1, count: tokens.count + 7) // a model may pad its output layer
        try matcher.constrain(&logits)
        let allowed = logits.indices.filter { logits[$0].isFinite }
        // At the start only tokens beginning with `{` can follow.
        #expect(!allowed.isEmpty)
        #expect(allowed.allSatisfy { tokens[$0].first == UInt8(ascii: "{") })
        #expect(allowed.contains(2 + Int(UInt8(ascii: "{"))) && allowed.contains(tokens.firstIndex(of: Array("{}".utf8))!))
    }

    @Test func thoughtOpenedByThePromptIsFreeUntilItsClosingMarker() throws {
        let (tokens, endOfGeneration, _) = Self.vocabulary()
        let trie = TokenTrie(tokens: tokens, endOfGeneration: [endOfGeneration])
        let grammar = Grammar.afterThinking(.jsonObject, open: "<think>", close: "</think>", openedByPrompt: true)
        let matcher = GrammarMatcher(constraint: OutputConstraint(grammar: grammar), vocabulary: trie)
        for byte in "thinking { </thi".utf8 {
            #expect(try matcher.allowedTokens().contains(TokenID(2 + Int(UInt8(ascii: "x")))))
            try matcher.accept(TokenID(2 + Int(byte)))
        }
        #expect(!matcher.isComplete)
        for byte in "nk>".utf8 { try matcher.accept(TokenID(2 + Int(byte))) }
        let mask = try matcher.allowedTokens()
        #expect(mask.contains(TokenID(2 + Int(UInt8(ascii: "{")))) && !mask.contains(TokenID(2 + Int(UInt8(ascii: "x")))))
    }

    @Test func distanceToCompletionCountsTheClosingBytes() throws {
        let (tokens, endOfGeneration, _) = Self.vocabulary()
        let trie = TokenTrie(tokens: tokens, endOfGeneration: [endOfGeneration])
        let cases: [(Grammar, String, Int)] = [
            (.jsonObject, "", 2), (.jsonObject, "{", 1), (.jsonObject, "{\"a\":[1", 2), (.jsonObject, "{\"a\":[\"x", 3),
            (.jsonObject, "{\"a\"", 3), (.jsonObject, "{\"a\":{}}", 0),
            (try .jsonSchema(text: #"{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}"#), "{", 6),
        ]
        for (grammar, prefix, expected) in cases {
            let matcher = GrammarMatcher(constraint: OutputConstraint(grammar: grammar), vocabulary: trie)
            for byte in prefix.utf8 { try matcher.accept(TokenID(2 + Int(byte))) }
            #expect(matcher.bytesToComplete == expected, "\(prefix)")
        }
    }

    @Test func shortBudgetAllowsOnlyTokensThatCanStillClose() throws {
        let (tokens, endOfGeneration, _) = Self.vocabulary()
        let trie = TokenTrie(tokens: tokens, endOfGeneration: [endOfGeneration])
        let matcher = GrammarMatcher(constraint: OutputConstraint(grammar: .jsonObject), vocabulary: trie)
        for byte in "{\"a\":[\"x".utf8 { try matcher.accept(TokenID(2 + Int(byte))) }
        let free = try matcher.allowedTokens(remainingTokens: 100)
        #expect(free.contains(TokenID(2 + Int(UInt8(ascii: "y")))))
        // `"]}` is needed: with three tokens left, each must make progress (`"` or a token that
        // ends the string, such as `🙂"`).
        let probe = GrammarAutomaton(grammar: .jsonObject)
        let state = probe.next(probe.start, Array("{\"a\":[\"x".utf8))
        let nearest = tokens.map { probe.next(state, $0) }.filter { $0 != GrammarAutomaton.dead }.map { probe.bytesToAccept($0) }.min()!
        #expect(nearest == 2)
        for remaining in 1 ... 6 {
            // A budget that cannot be met allows the tokens that come closest.
            let limit = max(remaining - 1, Int(nearest))
            let mask = try matcher.allowedTokens(remainingTokens: remaining)
            for (id, token) in tokens.enumerated() where id != Int(endOfGeneration) {
                let end = probe.next(state, token)
                let expected = end != GrammarAutomaton.dead && probe.bytesToAccept(end) <= limit
                #expect(mask.contains(TokenID(id)) == expected, "\(String(decoding: token, as: UTF8.self)) with \(remaining) left")
            }
        }
        let tight = try matcher.allowedTokens(remainingTokens: 3)
        #expect(tight.contains(TokenID(2 + Int(UInt8(ascii: "\"")))) && tight.contains(TokenID(tokens.firstIndex(of: Array("🙂\"".utf8))!)))
        #expect(!tight.contains(TokenID(2 + Int(UInt8(ascii: "y")))))
        #expect(try matcher.allowedTokens(remainingTokens: 4).contains(TokenID(2 + Int(UInt8(ascii: "y")))))
    }

    @Test func trieKeepsDuplicateSpellingsAndSkipsExcludedTokens() {
        let trie = TokenTrie(tokens: [Array("ab".utf8), Array("a".utf8), [], Array("ab".utf8), Array("<c>".utf8)], endOfGeneration: [], unmatched: [4])
        #expect(trie.tokenIDs.sorted() == [0, 1, 3])
        #expect(trie.nodeCount == 2)
        #expect(trie.subtreeEnd == [2, 2])
    }
}

@Suite struct GrammarGenerationTests {
    func collect(_ stream: AsyncThrowingStream<GenerationEvent, any Error>) async throws -> (text: String, reason: DoneReason?) {
        var text = "", reason: DoneReason?
        for try await event in stream {
            switch event {
            case let .text(piece): text += piece
            case let .done(r, _, _): reason = r
            }
        }
        return (text, reason)
    }

    @Test(arguments: [0, 1, 2, 3])
    func engineThatWantsGarbageStillProducesValidJSON(seed: Int) async throws {
        // The engine always favours the next byte of a text that is not JSON at all.
        let garbage = ByteTokenizer.ids("Sure! Here is your answer: name=Ada, age=36 :) ")
        let engine = ScriptedEngine(answer: garbage + garbage + garbage, vocabularySize: ByteTokenizer.vocabularySize, contextLength: 2048)
        let session = ModelSession(engine: engine, tokenizer: try ByteTokenizer.make(), promptFormat: ChatMLPromptFormat())
        // Every part is bounded, so that even a uniform choice among allowed tokens ends.
        let schema = try SchemaValue(parsing: """
            {"type":"object","properties":{"name":{"type":"string","maxLength":8},"age":{"type":"integer","minimum":0,"maximum":150},
             "email":{"type":"string","pattern":"^[a-z]{1,6}@[a-z]{1,6}\\\\.com$"},"tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":2}},
             "required":["name","age"]}
            """)
        var options = SamplingOptions(temperature: 0.8, seed: seed)
        options.numPredict = 1000
        let result = try await collect(session.generate(prompt: ByteTokenizer.ids("Hi"), options: options,
                                                        constraint: OutputConstraint(grammar: try .jsonSchema(schema))))
        #expect(result.reason == .stop, "\(result.text)")
        #expect(parseJSON(result.text) != nil, "\(result.text)")
        #expect(SchemaValidator(root: schema).validate(try SchemaValue(parsing: result.text)).isEmpty, "\(result.text)")
    }

    @Test func greedyGenerationFollowsTheEngineWhereTheGrammarAllows() async throws {
        let engine = ScriptedEngine(answer: ByteTokenizer.ids("{\"ok\": true} trailing") + [ByteTokenizer.imEnd], vocabularySize: ByteTokenizer.vocabularySize)
        let session = ModelSession(engine: engine, tokenizer: try ByteTokenizer.make(), promptFormat: ChatMLPromptFormat())
        let result = try await collect(session.generate(prompt: ByteTokenizer.ids("x"), options: SamplingOptions(temperature: 0),
                                                        constraint: OutputConstraint(grammar: .jsonObject)))
        // The object is complete at `}`: generation stops there instead of writing on.
        #expect(result.text == "{\"ok\": true}")
        #expect(result.reason == .stop)
    }

    @Test(arguments: [5, 6, 7])
    func valueClosesWithinNumPredictEvenWhenTheEngineRambles(seed: Int) async throws {
        let garbage = ByteTokenizer.ids("[[[[{\"a\": [\"never ending text, more and more text ")
        let engine = ScriptedEngine(answer: garbage + garbage + garbage, vocabularySize: ByteTokenizer.vocabularySize, contextLength: 2048)
        let session = ModelSession(engine: engine, tokenizer: try ByteTokenizer.make(), promptFormat: ChatMLPromptFormat())
        var options = SamplingOptions(temperature: 0.8, seed: seed)
        options.numPredict = 40
        let result = try await collect(session.generate(prompt: ByteTokenizer.ids("x"), options: options,
                                                        constraint: OutputConstraint(grammar: .jsonObject)))
        #expect(parseJSON(result.text) != nil, "\(result.text)")
        #expect(result.reason == .stop)
        #expect(result.text.utf8.count <= 40)
    }

    @Test func thinkingIsFreeUntilTheMarker() async throws {
        let engine = ScriptedEngine(answer: ByteTokenizer.ids("hmm, words</think>{\"a\":1}"), vocabularySize: ByteTokenizer.vocabularySize)
        let session = ModelSession(engine: engine, tokenizer: try ByteTokenizer.make(), promptFormat: ChatMLPromptFormat())
        let result = try await collect(session.generate(prompt: ByteTokenizer.ids("x"), options: SamplingOptions(temperature: 0),
                                                        constraint: OutputConstraint(grammar: .afterThinking(.jsonObject, open: "<think>", close: "</think>", openedByPrompt: true))))
        #expect(result.text == "hmm, words</think>{\"a\":1}")
        #expect(result.reason == .stop)
    }
}

/// Parameterised tests name a grammar by its name, not by dumping every node into the log.
extension Grammar: CustomTestStringConvertible {
    public var testDescription: String { name }
}
