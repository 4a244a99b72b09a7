import ChatTemplate
import Testing
@testable import Runtime

/// The chat output parser gives the same thinking, content and tool calls however the model's
/// output is cut into streamed pieces.
struct ChatOutputParserTests {
    static let qwenTemplate = "{% if tools %}<tool_call>{% endif %}{% if enable_thinking %}<think>{% endif %}"

    /// Feeds `text` cut at `cuts`, then finishes; returns the pieces merged.
    static func run(_ parser: ChatOutputParser, _ text: String, cuts: [Int]) -> ChatOutputParser.Piece {
        var parser = parser
        let scalars = Array(text.unicodeScalars)
        var total = ChatOutputParser.Piece()
        var start = 0
        for end in cuts + [scalars.count] where end >= start {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[start ..< end])
            let piece = parser.feed(String(view))
            total.content += piece.content
            total.thinking += piece.thinking
            total.toolCalls += piece.toolCalls
            start = end
        }
        let rest = parser.finish()
        total.content += rest.content
        total.thinking += rest.thinking
        total.toolCalls += rest.toolCalls
        return total
    }

    /// Every single cut, and one scalar at a time.
    static func everySplit(_ parser: ChatOutputParser, _ text: String) -> [ChatOutputParser.Piece] {
        let count = text.unicodeScalars.count
        return (0 ... count).map { run(parser, text, cuts: [$0]) } + [run(parser, text, cuts: Array(0 ... count))]
    }

    @Test func thinkingAndToolCallAreSplitAtEveryCut() {
        let parser = ChatOutputParser(templateSource: Self.qwenTemplate, renderedPrompt: "<|im_start|>assistant\n", thinking: true, tools: true)
        let output = "<think>\nWeather needed.\n</think>\n\nChecking.<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\", \"unit\": \"celsius\"}}\n</tool_call>"
        let expected = ChatOutputParser.Piece(
            content: "Checking.", thinking: "Weather needed.",
            toolCalls: [ParsedToolCall(name: "get_weather", arguments: ["city": .string("Zürich"), "unit": .string("celsius")])])
        for piece in Self.everySplit(parser, output) {
            #expect(piece == expected)
            #expect(piece.toolCalls.first?.arguments.keys == ["city", "unit"])
        }
    }

    @Test func promptThatOpensThinkingStartsInsideIt() {
        // DeepSeek-R1's generation prompt ends with "<think>\n".
        let parser = ChatOutputParser(templateSource: "<think>", renderedPrompt: "<｜Assistant｜><think>\n", thinking: true, tools: false)
        for piece in Self.everySplit(parser, "Paris is the capital.\n</think>\n\nParis.") {
            #expect(piece == ChatOutputParser.Piece(content: "Paris.", thinking: "Paris is the capital."))
        }
    }

    @Test func thinkingOffLeavesMarkersInTheContent() {
        let parser = ChatOutputParser(templateSource: Self.qwenTemplate, renderedPrompt: "", thinking: false, tools: false)
        #expect(Self.run(parser, "<think>x</think>y", cuts: [3]) == ChatOutputParser.Piece(content: "<think>x</think>y"))
    }

    @Test func toolCallIndicesCountAcrossPieces() {
        var parser = ChatOutputParser(templateSource: Self.qwenTemplate, renderedPrompt: "", thinking: false, tools: true)
        let first = parser.feed("<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call>")
        let second = parser.feed("<tool_call>{\"name\": \"b\", \"arguments\": {}}</tool_call>")
        #expect(first.toolCalls.map(\.name) == ["a"] && first.firstToolCallIndex == 0)
        #expect(second.toolCalls.map(\.name) == ["b"] && second.firstToolCallIndex == 1)
    }

    @Test func formatIsChosenFromTheTemplateText() {
        #expect(ChatOutputParser.toolCallFormat(in: "…<tool_call>…") == .hermes)
        #expect(ChatOutputParser.toolCallFormat(in: "[AVAILABLE_TOOLS]…[TOOL_CALLS]") == .mistral)
        #expect(ChatOutputParser.toolCallFormat(in: "<|start_header_id|>ipython") == .llama3JSON)
        var llama = ChatOutputParser(templateSource: "<|python_tag|>", renderedPrompt: "", thinking: false, tools: true)
        let piece = llama.feed("{\"name\": \"get_time\", \"parameters\": {\"zone\": \"UTC\"}}")
        let rest = llama.finish()
        #expect((piece.toolCalls + rest.toolCalls).map(\.name) == ["get_time"])
    }

    @Test func plainTextWithoutToolsOrThinkingPassesThrough() {
        for piece in Self.everySplit(ChatOutputParser(), "<tool_call>{}</tool_call> <think>") {
            #expect(piece == ChatOutputParser.Piece(content: "<tool_call>{}</tool_call> <think>"))
        }
    }
}
