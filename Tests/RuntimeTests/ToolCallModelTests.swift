import ChatTemplate
import CPUEngine
import EngineInterface
import GGUF
import Testing
import TestSupport
import Tokenizer
@testable import Runtime

/// The default model offered tools through a Qwen-style template (its own template has no
/// tools): at temperature 0.8 with fixed seeds, every tool call it writes parses and is valid
/// against the tool's schema. Skipped when the model is not available.
@Suite(.serialized, .enabled(if: TestModels.hasDefaultModel))
struct ToolCallModelTests {
    /// Hermes-style tool calling in ChatML, as Qwen2.5's template writes it (shortened).
    static let template = #"""
        {%- if tools %}{{ '<|im_start|>system\nYou can call functions. Their signatures:\n<tools>' }}
        {%- for tool in tools %}{{ '\n' + (tool | tojson) }}{%- endfor %}
        {{- '\n</tools>\nTo call one, answer with\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n' }}
        {%- endif %}
        {%- for message in messages %}
        {%- if message.role == "assistant" and message.tool_calls %}{{ '<|im_start|>assistant' }}
        {%- for call in message.tool_calls %}{{ '\n<tool_call>\n{"name": "' + call.function.name + '", "arguments": ' + (call.function.arguments | tojson) + '}\n</tool_call>' }}{%- endfor %}
        {{- '<|im_end|>\n' }}
        {%- else %}{{ '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' }}
        {%- endif %}
        {%- endfor %}
        {%- if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{%- endif %}
        """#

    static let lightSchema = #"{"type":"object","properties":{"color":{"enum":["red","green","blue","white"]},"level":{"type":"integer","minimum":0,"maximum":100}},"required":["color","level"]}"#
    static let soundSchema = #"{"type":"object","properties":{"track":{"type":"string","maxLength":24},"volume":{"type":"integer","minimum":0,"maximum":10}},"required":["track"]}"#

    static let session: ModelSession? = {
        guard let url = TestModels.defaultModelURL(), let file = try? GGUFFile(path: url.path),
              let tokenizer = try? BPETokenizer(configuration: TokenizerConfiguration(ggufFile: file)),
              let engine = try? CPUEngine(file: file, contextLength: 1024),
              let format = try? ChatTemplatePromptFormat(source: template, beginOfSequence: "", endOfSequence: "<|im_end|>") else { return nil }
        return ModelSession(engine: engine, tokenizer: tokenizer, promptFormat: format)
    }()

    static func toolValue(_ name: String, _ description: String, _ schema: String) throws -> Value {
        try JSON.parse(#"{"type":"function","function":{"name":"\#(name)","description":"\#(description)","parameters":\#(schema)}}"#)
    }

    @Test func everyToolCallTheModelWritesIsValid() async throws {
        let session = try #require(Self.session)
        let tools = [try Self.toolValue("set_light", "Set the room light", Self.lightSchema),
                     try Self.toolValue("play_sound", "Play a sound track", Self.soundSchema)]
        let schemas = ["set_light": try SchemaValue(parsing: Self.lightSchema), "play_sound": try SchemaValue(parsing: Self.soundSchema)]
        let offered = try schemas.map { ToolSchema(name: $0.key, parameters: $0.value) }.sorted { $0.name < $1.name }
        // Earlier calls in the conversation show the model the syntax.
        let history: [ChatMessage] = [
            .user("Make the room red."),
            ChatMessage(role: "assistant", content: "", toolCalls: [ParsedToolCall(name: "set_light", arguments: ["color": .string("red"), "level": .int(80)])]),
            .user("Play the forest track."),
            ChatMessage(role: "assistant", content: "", toolCalls: [ParsedToolCall(name: "play_sound", arguments: ["track": .string("forest"), "volume": .int(5)])]),
            .user("Make the room white."),
            ChatMessage(role: "assistant", content: "", toolCalls: [ParsedToolCall(name: "set_light", arguments: ["color": .string("white"), "level": .int(100)])]),
        ]
        let requests = ["Now make it blue and dim.", "Play the rain track quietly.", "Turn the light green at full power.", "Play waves, loud."]
        var calls = 0
        var failures: [String] = []
        for (index, request) in requests.enumerated() {
            let rendered = try session.promptFormat.render(history + [.user(request)], tools: tools, think: nil, addGenerationPrompt: true)
            let parser = session.promptFormat.outputParser(renderedPrompt: rendered, thinking: false, tools: true)
            var options = SamplingOptions(temperature: 0.8, seed: 500 + index)
            options.numPredict = 80
            let prompt = await session.tokenizer.encode(rendered, parseSpecial: true)
            var content = ""
            for try await event in parser.parse(session.generate(prompt: prompt, options: options, constraint: parser.constraint(nil, tools: offered))) {
                guard case let .piece(piece) = event else { continue }
                content += piece.content
                for call in piece.toolCalls {
                    calls += 1
                    guard let schema = schemas[call.name] else { failures.append("[\(index)] unknown tool \(call.name)"); continue }
                    let problems = SchemaValidator(root: schema).validate(try SchemaValue(parsing: JSON.dump(.dict(call.arguments))))
                    if !problems.isEmpty { failures.append("[\(index)] \(problems)") }
                    print("[\(index)] \(call.name) \(try JSON.dump(.dict(call.arguments)))")
                }
            }
            if content.contains("<tool_call>") { failures.append("[\(index)] a started call did not parse: \(content)") }
        }
        #expect(calls > 0, "the model made no tool call, so nothing was checked")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
