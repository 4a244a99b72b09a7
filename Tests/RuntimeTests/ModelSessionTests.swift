import EngineInterface
import Testing
import TestSupport
@testable import Runtime

@Suite struct ModelSessionTests {
    let greedy = SamplingOptions(temperature: 0)

    func session(_ engine: ScriptedEngine) throws -> ModelSession {
        ModelSession(engine: engine, tokenizer: try ByteTokenizer.make(), promptFormat: ChatMLPromptFormat())
    }

    /// Collects a whole generation: the concatenated text and the final event's fields.
    func collect(_ stream: AsyncThrowingStream<GenerationEvent, any Error>) async throws -> (text: String, reason: DoneReason?, metrics: GenerationMetrics, context: [TokenID], pieces: [String]) {
        var text = "", pieces: [String] = [], reason: DoneReason?, metrics = GenerationMetrics(), context: [TokenID] = []
        for try await event in stream {
            switch event {
            case let .text(piece):
                text += piece
                pieces.append(piece)
            case let .done(r, m, c):
                (reason, metrics, context) = (r, m, c)
            }
        }
        return (text, reason, metrics, context, pieces)
    }

    @Test func generatesUntilEndOfGenerationToken() async throws {
        let engine = ScriptedEngine(answer: ByteTokenizer.ids("Hello!") + [ByteTokenizer.imEnd], vocabularySize: ByteTokenizer.vocabularySize)
        let prompt = ByteTokenizer.ids("Hi")
        let result = try await collect(session(engine).generate(prompt: prompt, options: greedy))
        #expect(result.text == "Hello!")
        #expect(result.reason == .stop)
        #expect(result.metrics.promptEvalCount == 2)
        #expect(result.metrics.evalCount == 6)
        #expect(result.metrics.totalDuration >= result.metrics.promptEvalDuration + result.metrics.evalDuration)
        #expect(result.context == prompt + ByteTokenizer.ids("Hello!"))
    }

    @Test func numPredictEndsWithLength() async throws {
        let engine = ScriptedEngine(answer: ByteTokenizer.ids("abcdefgh"), vocabularySize: ByteTokenizer.vocabularySize)
        var options = greedy
        options.numPredict = 3
        let result = try await collect(session(engine).generate(prompt: ByteTokenizer.ids("x"), options: options))
        #expect(result.text == "abc")
        #expect(result.reason == .length)
        #expect(result.metrics.evalCount == 3)
    }

    @Test func stopStringAcrossTokensIsNotEmitted() async throws {
        let engine = ScriptedEngine(answer: ByteTokenizer.ids("one two STOP three"), vocabularySize: ByteTokenizer.vocabularySize)
        var options = greedy
        options.stop = ["STOP"]
        let result = try await collect(session(engine).generate(prompt: ByteTokenizer.ids("x"), options: options))
        #expect(result.text == "one two ")
        #expect(result.reason == .stop)
    }

    @Test func multiByteCharactersAreNeverSplit() async throws {
        let engine = ScriptedEngine(answer: ByteTokenizer.ids("añ世🙂") + [ByteTokenizer.imEnd], vocabularySize: ByteTokenizer.vocabularySize)
        let result = try await collect(session(engine).generate(prompt: ByteTokenizer.ids("x"), options: greedy))
        #expect(result.text == "añ世🙂")
        #expect(result.pieces == ["a", "ñ", "世", "🙂"])
    }

    @Test func cachedPrefixIsReusedAndGivesTheSameAnswer() async throws {
        let engine = ScriptedEngine(vocabularySize: ByteTokenizer.vocabularySize) { position, _ in
            position % 5 == 4 ? ByteTokenizer.imEnd : ByteTokenizer.firstByteToken + Int32(UInt8(ascii: "a")) + Int32(position % 5)
        }
        let session = try session(engine)
        let system = ByteTokenizer.ids("a long shared system prompt. ")
        let first = try await collect(session.generate(prompt: system + ByteTokenizer.ids("Q1"), options: greedy))
        let evaluatedAfterFirst = engine.record.evaluatedTokens
        let second = try await collect(session.generate(prompt: system + ByteTokenizer.ids("Q1"), options: greedy))
        #expect(second.text == first.text)
        // Everything but the prompt's last token came from the cache.
        #expect(second.metrics.cachedPromptCount == system.count + 1)
        #expect(second.metrics.promptEvalCount == 1)
        let third = try await collect(session.generate(prompt: system + ByteTokenizer.ids("Q2!"), options: greedy))
        #expect(third.metrics.cachedPromptCount == system.count + 1)
        #expect(engine.record.evaluatedTokens - evaluatedAfterFirst == 1 + second.metrics.evalCount + 2 + third.metrics.evalCount)
        #expect(engine.record.truncations.contains(system.count + 1))
    }

    @Test func promptThatFillsTheContextIsRefused() async throws {
        let engine = ScriptedEngine(answer: [5], vocabularySize: ByteTokenizer.vocabularySize, contextLength: 8)
        await #expect(throws: EngineError.contextOverflow(requested: 9, capacity: 8)) {
            _ = try await collect(session(engine).generate(prompt: ByteTokenizer.ids("12345678"), options: greedy))
        }
    }

    @Test func generationStopsAtTheContextLimitWithLength() async throws {
        let engine = ScriptedEngine(answer: ByteTokenizer.ids("abcdefghijkl"), vocabularySize: ByteTokenizer.vocabularySize, contextLength: 8)
        let result = try await collect(session(engine).generate(prompt: ByteTokenizer.ids("123"), options: greedy))
        #expect(result.reason == .length)
        #expect(engine.cachedTokens.count <= 8)
        #expect(result.text == "abcde")
    }

    @Test func tokensOutsideTheVocabularyAreRejected() async throws {
        let engine = ScriptedEngine(answer: [5], vocabularySize: ByteTokenizer.vocabularySize)
        await #expect(throws: EngineError.self) {
            _ = try await collect(session(engine).generate(prompt: [9999], options: greedy))
        }
    }

    @Test func cancellingTheConsumerStopsTheEngine() async throws {
        let engine = ScriptedEngine(answer: ByteTokenizer.ids(String(repeating: "z", count: 200)),
                                    vocabularySize: ByteTokenizer.vocabularySize, contextLength: 1024,
                                    delayNanoseconds: 5_000_000)
        let session = try session(engine)
        let consumer = Task {
            var count = 0
            for try await event in session.generate(prompt: ByteTokenizer.ids("x"), options: greedy) {
                if case .text = event { count += 1 }
                if count == 3 { break }
            }
        }
        try await consumer.value
        try await Task.sleep(nanoseconds: 100_000_000)
        let callsAfterCancel = engine.record.forwardCalls
        try await Task.sleep(nanoseconds: 100_000_000)
        #expect(engine.record.forwardCalls == callsAfterCancel)
        #expect(callsAfterCancel < 10)
    }
}

@Suite struct ModelSessionExclusivityTests {
    @Test func overlappingGenerationsRunOneAfterTheOther() async throws {
        let engine = ScriptedEngine(answer: ByteTokenizer.ids("abcdef") + [ByteTokenizer.imEnd],
                                    vocabularySize: ByteTokenizer.vocabularySize, contextLength: 512,
                                    delayNanoseconds: 2_000_000)
        let session = ModelSession(engine: engine, tokenizer: try ByteTokenizer.make(), promptFormat: ChatMLPromptFormat())
        let greedy = SamplingOptions(temperature: 0)
        // Two prompts that share nothing: interleaved runs would corrupt each other's cache
        // positions and the engine would throw `invalidPosition`.
        let first = session.start(prompt: ByteTokenizer.ids("first prompt"), options: greedy)
        let second = session.start(prompt: ByteTokenizer.ids("another one"), options: greedy)
        async let a: Int = { var n = 0; for try await event in first.events { if case .done = event { n += 1 } }; return n }()
        async let b: Int = { var n = 0; for try await event in second.events { if case .done = event { n += 1 } }; return n }()
        let (doneA, doneB) = try await (a, b)
        #expect(doneA == 1 && doneB == 1)
        await first.finished.value
        await second.finished.value
    }
}
