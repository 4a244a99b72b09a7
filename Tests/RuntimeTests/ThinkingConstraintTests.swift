import ChatTemplate
import EngineInterface
import Testing
import TestSupport
@testable import Runtime

/// A thinking model thinks freely and its answer is held to the format afterwards, whether the
/// prompt opened the thinking or the model opens it itself; a model that does not think is held
/// to the format from its first token.
@Suite struct ThinkingConstraintTests {
    static let qwenTemplate = "{% if enable_thinking %}<think>{% endif %}"

    /// Bytes, a few multi-byte pieces, and pieces that straddle the thinking markers.
    static func vocabulary() -> (tokens: [[UInt8]], endOfGeneration: TokenID) {
        var tokens: [[UInt8]] = [Array("<|im_end|>".utf8)]
        tokens += (0 ... 255).map { [UInt8($0)] }
        tokens += ["<think>", "</think>", "<think>\n", "</think>\n\n", "</think>{\"", "</think>oops", "<th", "ink>", "{\"", "\":", "Sure", " {"]
            .map { Array($0.utf8) }
        return (tokens, 0)
    }

    static func token(_ text: String, in tokens: [[UInt8]]) -> TokenID { TokenID(tokens.firstIndex(of: Array(text.utf8))!) }

    @Test func modelMayOpenItsThinkingOnlyAtTheStart() throws {
        let (tokens, end) = Self.vocabulary()
        let grammar = Grammar.afterThinking(.jsonObject, open: "<think>", close: "</think>", openedByPrompt: false)
        let matcher = GrammarMatcher(constraint: OutputConstraint(grammar: grammar), vocabulary: TokenTrie(tokens: tokens, endOfGeneration: [end]))
        let first = try matcher.allowedTokens()
        for allowed in ["<think>", "<think>\n", "<th", "<", "{", "{\"", "\n", " {"] { #expect(first.contains(Self.token(allowed, in: tokens)), "\(allowed)") }
        for refused in ["Sure", "S", "</think>", "ink>", "}"] { #expect(!first.contains(Self.token(refused, in: tokens)), "\(refused)") }

        // Once the answer has begun, the opening marker is no longer an alternative.
        try matcher.accept(Self.token("{", in: tokens))
        #expect(!(try matcher.allowedTokens().contains(Self.token("<", in: tokens))))
    }

    @Test func tokenThatClosesTheThoughtMustStartTheValue() throws {
        let (tokens, end) = Self.vocabulary()
        let grammar = Grammar.afterThinking(.jsonObject, open: "<think>", close: "</think>", openedByPrompt: false)
        let matcher = GrammarMatcher(constraint: OutputConstraint(grammar: grammar), vocabulary: TokenTrie(tokens: tokens, endOfGeneration: [end]))
        for piece in ["<th", "ink>", "Sure", " {", "}", "<think>"] {
            try matcher.accept(Self.token(piece, in: tokens))
        }
        let thinking = try matcher.allowedTokens()
        for allowed in ["Sure", "}", "<", "</think>", "</think>\n\n", "</think>{\""] { #expect(thinking.contains(Self.token(allowed, in: tokens)), "\(allowed)") }
        #expect(!thinking.contains(Self.token("</think>oops", in: tokens)))
        #expect(!thinking.contains(end), "the answer cannot end inside the thought")
        try matcher.accept(Self.token("</think>\n\n", in: tokens))
        let answer = try matcher.allowedTokens()
        #expect(answer.contains(Self.token("{", in: tokens)) && !answer.contains(Self.token("S", in: tokens)))
    }

    // MARK: Whole generations through the chat output parser

    func answer(script: String, renderedPrompt: String, thinking: Bool = true, numPredict: Int = 400,
                format: Grammar = .jsonObject, seed: Int? = nil) async throws -> (piece: ChatOutputParser.Piece, reason: DoneReason?) {
        let engine: ScriptedEngine
        if let seed {
            // Random logits: the engine favours a different token at every step.
            var random = SeededGenerator(seed: UInt64(seed))
            let picks = (0 ..< 4096).map { _ in TokenID.random(in: 0 ..< TokenID(ByteTokenizer.vocabularySize), using: &random) }
            engine = ScriptedEngine(answer: picks, vocabularySize: ByteTokenizer.vocabularySize, contextLength: 8192)
        } else {
            engine = ScriptedEngine(answer: ByteTokenizer.ids(script) + [ByteTokenizer.imEnd], vocabularySize: ByteTokenizer.vocabularySize, contextLength: 8192)
        }
        let session = ModelSession(engine: engine, tokenizer: try ByteTokenizer.make(), promptFormat: ChatMLPromptFormat())
        let parser = ChatOutputParser(templateSource: Self.qwenTemplate, renderedPrompt: renderedPrompt, thinking: thinking, tools: false)
        var options = SamplingOptions(temperature: seed == nil ? 0 : 0.8, seed: seed ?? 0)
        options.numPredict = numPredict
        var total = ChatOutputParser.Piece(), reason: DoneReason?
        let events = parser.parse(session.generate(prompt: ByteTokenizer.ids(renderedPrompt), options: options,
                                                   constraint: parser.constraint(OutputConstraint(grammar: format))))
        for try await event in events {
            switch event {
            case let .piece(piece):
                total.thinking += piece.thinking
                total.content += piece.content
            case let .done(r, _, _): reason = r
            }
        }
        return (total, reason)
    }

    @Test func thoughtOpenedByTheModelGoesToThinkingAndTheValueToContent() async throws {
        let result = try await answer(script: "<think>I could write { or anything here</think>\n\n{\"a\": 1} and more",
                                      renderedPrompt: "<|im_start|>assistant\n")
        #expect(result.piece.thinking == "I could write { or anything here")
        #expect(result.piece.content == "{\"a\": 1}")
        #expect(result.reason == .stop)
    }

    @Test func thoughtOpenedByThePromptGoesToThinkingAndTheValueToContent() async throws {
        let result = try await answer(script: "first, <think> is just text here</think>{\"b\": [true]}",
                                      renderedPrompt: "<|im_start|>assistant\n<think>\n")
        #expect(result.piece.thinking == "first, <think> is just text here")
        #expect(result.piece.content == "{\"b\": [true]}")
    }

    @Test func modelThatDoesNotThinkIsHeldToTheFormatFromItsFirstToken() async throws {
        let result = try await answer(script: "Sure! {\"a\": 1}", renderedPrompt: "<|im_start|>assistant\n")
        #expect(result.piece.thinking.isEmpty)
        #expect(parseJSON(result.piece.content) != nil, "\(result.piece.content)")
        #expect(result.reason == .stop)
    }

    @Test func withThinkingOffTheOpeningMarkerIsRefused() async throws {
        let result = try await answer(script: "<think>hmm</think>{\"a\": 1}", renderedPrompt: "<|im_start|>assistant\n", thinking: false)
        #expect(parseJSON(result.piece.content) != nil, "\(result.piece.content)")
        #expect(!result.piece.content.contains("think"))
    }

    @Test(arguments: [1, 2, 3, 4])
    func randomLogitsStillEndInAThoughtAndAValidValue(seed: Int) async throws {
        for prompt in ["<|im_start|>assistant\n", "<|im_start|>assistant\n<think>\n"] {
            let schema = try SchemaValue(parsing: #"{"type":"object","properties":{"on":{"type":"boolean"},"level":{"type":"integer","minimum":0,"maximum":9}},"required":["on","level"]}"#)
            let result = try await answer(script: "", renderedPrompt: prompt, numPredict: 120, format: try .jsonSchema(schema), seed: seed)
            let value = try SchemaValue(parsing: result.piece.content)
            #expect(SchemaValidator(root: schema).validate(value).isEmpty, "\(result.piece)")
            #expect(result.reason == .stop)
        }
    }
}
