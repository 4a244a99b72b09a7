import ChatTemplate
import EngineInterface
import Testing
import TestSupport
@testable import Runtime

/// Tool calls the model starts are held to the offered tools: a name among theirs and arguments
/// valid against that tool's schema; the text around the calls stays free.
@Suite struct ToolCallConstraintTests {
    static let weather = #"{"type":"object","properties":{"city":{"type":"string","maxLength":12},"unit":{"enum":["celsius","fahrenheit"]}},"required":["city"]}"#
    static let light = #"{"type":"object","properties":{"on":{"type":"boolean"},"level":{"type":"integer","minimum":0,"maximum":100}},"required":["on","level"]}"#

    static func tools() throws -> [ToolSchema] {
        [ToolSchema(name: "get_weather", parameters: try SchemaValue(parsing: weather)),
         ToolSchema(name: "set_light", parameters: try SchemaValue(parsing: light))]
    }

    /// Bytes, and pieces a model would like to use to break a call: whole markers, markers glued
    /// to JSON, names of tools that do not exist, keys the schemas do not have.
    static func vocabulary() -> [[UInt8]] {
        var tokens: [[UInt8]] = [Array("<|im_end|>".utf8)]
        tokens += (0 ... 255).map { [UInt8($0)] }
        tokens += ["<tool_call>", "</tool_call>", "<tool_call>\n{\"", "<tool_call>{\"name\": \"delete_all\"", "\"}</tool_call>", "}\n</tool_call>",
                   "{\"name\": \"", "\"name\"", "\"arguments\"", "\"parameters\"", "get_weather", "set_light", "get_time", "\"city\"",
                   "\"unit\"", "celsius", "\"level\"", "\"on\"", " true", "999", "{}", "\"}", "\"}}", ";", " {\"", "Sure, ", "<tool"]
            .map { Array($0.utf8) }
        return tokens
    }

    /// Samples `steps` tokens from `grammar`, each time from logits that favour a few tokens at
    /// random (and the adversarial pieces most of all); the budget makes the answer end complete.
    static func adversarialAnswer(_ grammar: Grammar, seed: UInt64, steps: Int = 300) throws -> String {
        let tokens = vocabulary()
        let matcher = GrammarMatcher(constraint: OutputConstraint(grammar: grammar), vocabulary: TokenTrie(tokens: tokens, endOfGeneration: [0]))
        var random = SeededGenerator(seed: seed)
        let favoured = (257 ..< tokens.count).map(TokenID.init)
        for step in 0 ..< steps {
            var logits = (0 ..< tokens.count).map { _ in Float.random(in: -4 ... 4, using: &random) }
            for token in favoured where Bool.random(using: &random) { logits[Int(token)] += 6 }
            try matcher.constrain(&logits, remainingTokens: steps - step)
            let best = logits.indices.max { logits[$0] < logits[$1] }!
            try matcher.accept(TokenID(best))
            if matcher.isFinished || matcher.mustEnd { break }
        }
        #expect(matcher.isComplete, "\(matcher.outputText)")
        return matcher.outputText
    }

    /// Every call parses, names an offered tool and has valid arguments; returns the calls.
    static func validatedCalls(in text: String, format: ToolCallFormat) throws -> [ToolCall] {
        var parser = ToolCallParser(format: format)
        var outputs = parser.feed(text)
        outputs += parser.finish()
        let schemas = try Dictionary(uniqueKeysWithValues: tools().map { ($0.name, $0.parameters!) })
        var calls: [ToolCall] = []
        for output in outputs {
            switch output {
            case let .toolCall(call):
                let schema = try #require(schemas[call.name], "unknown tool \(call.name) in \(text)")
                let arguments = try SchemaValue(parsing: JSON.dump(.dict(call.arguments)))
                #expect(SchemaValidator(root: schema).validate(arguments).isEmpty, "\(text)")
                calls.append(call)
            case let .content(content):
                if case .tagged = format { #expect(!content.contains("<tool_call>"), "a call that did not parse: \(text)") }
            }
        }
        return calls
    }

    @Test(arguments: 1 ... 12)
    func adversarialLogitsProduceOnlyValidHermesCalls(seed: Int) throws {
        let grammar = try #require(Grammar.toolCalls(try Self.tools(), format: .hermes))
        let text = try Self.adversarialAnswer(grammar, seed: UInt64(seed))
        _ = try Self.validatedCalls(in: text, format: .hermes)
    }

    @Test func adversarialLogitsStartCallsAndEveryOneIsValid() throws {
        // Across seeds the favoured markers do start calls: the constraint is exercised, not avoided.
        let grammar = try #require(Grammar.toolCalls(try Self.tools(), format: .hermes))
        var count = 0
        for seed in 20 ..< 30 { count += try Self.validatedCalls(in: Self.adversarialAnswer(grammar, seed: UInt64(seed)), format: .hermes).count }
        #expect(count >= 5)
    }

    @Test(arguments: 1 ... 8)
    func adversarialLogitsProduceOnlyValidLlama3Calls(seed: Int) throws {
        let grammar = try #require(Grammar.toolCalls(try Self.tools(), format: .llama3JSON))
        let text = try Self.adversarialAnswer(grammar, seed: UInt64(seed))
        let calls = try Self.validatedCalls(in: text, format: .llama3JSON)
        if text.drop { $0.isWhitespace }.first == "{" { #expect(!calls.isEmpty, "\(text)") }
    }

    @Test func textAroundCallsIsFreeAndACallIsHeldToTheTools() async throws {
        // The engine wants a misspelt tool and a string where the schema wants an integer.
        let script = "Let me look. <tool_call>\n{\"name\": \"set_lite\", \"arguments\": {\"on\": true, \"level\": \"high\"}}\n</tool_call> Done."
        let engine = ScriptedEngine(answer: ByteTokenizer.ids(script) + [ByteTokenizer.imEnd], vocabularySize: ByteTokenizer.vocabularySize, contextLength: 4096)
        let session = ModelSession(engine: engine, tokenizer: try ByteTokenizer.make(), promptFormat: ChatMLPromptFormat())
        let parser = ChatOutputParser(templateSource: "{% if tools %}<tool_call>{% endif %}", renderedPrompt: "<|im_start|>assistant\n", thinking: false, tools: true)
        var options = SamplingOptions(temperature: 0)
        options.numPredict = 400
        var content = "", calls: [ParsedToolCall] = []
        for try await event in parser.parse(session.generate(prompt: ByteTokenizer.ids("x"), options: options, constraint: parser.constraint(nil, tools: try Self.tools()))) {
            if case let .piece(piece) = event {
                content += piece.content
                calls += piece.toolCalls
            }
        }
        #expect(content.hasPrefix("Let me look. "))
        let call = try #require(calls.first, "\(content)")
        #expect(call.name == "set_light")
        let arguments = try SchemaValue(parsing: JSON.dump(.dict(call.arguments)))
        #expect(SchemaValidator(root: try SchemaValue(parsing: Self.light)).validate(arguments).isEmpty, "\(arguments.jsonText)")
    }

    @Test func formatTakesPrecedenceAndMistralCallsAreNotConstrained() throws {
        let hermes = ChatOutputParser(templateSource: "{% if tools %}<tool_call>{% endif %}", renderedPrompt: "", thinking: false, tools: true)
        #expect(hermes.constraint(OutputConstraint(grammar: .jsonObject), tools: try Self.tools())?.grammar.name == "JSON object")
        #expect(hermes.constraint(nil, tools: try Self.tools())?.grammar.name == "tool calls")
        #expect(hermes.constraint(nil, tools: []) == nil)
        let mistral = ChatOutputParser(templateSource: "[TOOL_CALLS]{{ tools }}", renderedPrompt: "", thinking: false, tools: true)
        #expect(mistral.constraint(nil, tools: try Self.tools()) == nil)
    }

    @Test func unsupportedPartsOfAParameterSchemaAllowAnyValueThereOnly() throws {
        let schema = #"{"type":"object","properties":{"mood":{"not":{"type":"string"}},"volume":{"type":"number","maximum":1},"on":{"type":"boolean"}},"required":["on"]}"#
        let grammar = try #require(Grammar.toolCalls([ToolSchema(name: "odd", parameters: try SchemaValue(parsing: schema))], format: .hermes))
        func accepts(_ arguments: String) -> Bool {
            let probe = GrammarAutomaton(grammar: grammar)
            let state = probe.next(probe.start, Array("<tool_call>{\"name\": \"odd\", \"arguments\": \(arguments)}</tool_call>".utf8))
            return state != GrammarAutomaton.dead && probe.isAccepting(state)
        }
        #expect(accepts(#"{"mood": [1, "x"], "volume": 7.5, "on": true}"#))
        #expect(!accepts(#"{"mood": 1, "volume": "loud", "on": true}"#))
        #expect(!accepts(#"{"mood": 1, "on": "yes"}"#))
        #expect(!accepts(#"{"mood": 1}"#))
    }
}
