import ChatTemplate

/// Splits a chat answer, as it streams out of the model, into what Ollama sends apart:
/// thinking, content, and complete tool calls.
///
/// Thinking is split first (a model thinks before it answers or calls a tool); the content
/// that follows goes through the tool-call parser when the request offered tools.
public struct ChatOutputParser: Sendable {
    /// What one piece of model output turned into; any part may be empty.
    public struct Piece: Equatable, Sendable {
        public var content = ""
        public var thinking = ""
        public var toolCalls: [ParsedToolCall] = []
        /// The position of `toolCalls[0]` among all the calls of the answer (Ollama's `index`).
        public var firstToolCallIndex = 0

        public init(content: String = "", thinking: String = "", toolCalls: [ParsedToolCall] = [], firstToolCallIndex: Int = 0) {
            self.content = content
            self.thinking = thinking
            self.toolCalls = toolCalls
            self.firstToolCallIndex = firstToolCallIndex
        }

        public var isEmpty: Bool { content.isEmpty && thinking.isEmpty && toolCalls.isEmpty }
    }

    private var thinking: ThinkingSplitter?
    private var tools: ToolCallParser?
    private var toolCallCount = 0

    /// Passes everything through as content.
    public init() {}

    public init(thinking: ThinkingSplitter?, tools: ToolCallParser?) {
        self.thinking = thinking
        self.tools = tools
    }

    /// Chosen from the template: its thinking markers (and whether the rendered prompt already
    /// opened one, as DeepSeek-R1's and some Qwen3 templates do), and the tool-call syntax it
    /// teaches the model.
    public init(templateSource: String, renderedPrompt: String, thinking: Bool, tools: Bool) {
        if thinking {
            let (open, close) = Self.thinkingMarkers(in: templateSource)
            self.thinking = ThinkingSplitter(openTag: open, closeTag: close, startsInsideThinking: PromptTail.endsWith(open, renderedPrompt))
        }
        if tools { self.tools = ToolCallParser(format: Self.toolCallFormat(in: templateSource)) }
    }

    /// The constraint for this answer, laid out the way this parser reads it.
    ///
    /// A `format` holds the content; without one, offered `tools` hold every tool call the model
    /// starts to their names and argument schemas (text outside calls stays free). Either way a
    /// thinking model thinks freely first (`Grammar.afterThinking`), and its thought goes to
    /// `thinking` while the constrained value is the content. Nil when nothing is constrained.
    public func constraint(_ format: OutputConstraint?, tools offered: [ToolSchema] = []) -> OutputConstraint? {
        // As in Ollama, a format decides the whole answer, so it leaves no room for a tool call.
        guard let body = format?.grammar ?? tools.flatMap({ Grammar.toolCalls(offered, format: $0.format) }) else { return nil }
        guard let thinking else { return OutputConstraint(grammar: body) }
        return OutputConstraint(grammar: .afterThinking(body, open: thinking.openingMarker, close: thinking.closingMarker,
                                                        openedByPrompt: thinking.startsInsideThinking))
    }

    public mutating func feed(_ text: String) -> Piece {
        guard thinking != nil else { return parseContent(text, final: false) }
        let split = thinking!.feed(text)
        var piece = parseContent(split.content, final: false)
        piece.thinking = split.thinking
        return piece
    }

    /// End of output: what was held back because it might have started a marker.
    public mutating func finish() -> Piece {
        var split = ThinkingSplitter.Output()
        if thinking != nil { split = thinking!.finish() }
        var piece = parseContent(split.content, final: true)
        piece.thinking = split.thinking
        return piece
    }

    private mutating func parseContent(_ text: String, final: Bool) -> Piece {
        guard tools != nil else { return Piece(content: text) }
        var piece = Piece(firstToolCallIndex: toolCallCount)
        var outputs = text.isEmpty ? [] : tools!.feed(text)
        if final { outputs += tools!.finish() }
        for output in outputs {
            switch output {
            case .content(let text): piece.content += text
            case .toolCall(let call): piece.toolCalls.append(call)
            }
        }
        toolCallCount += piece.toolCalls.count
        return piece
    }

    /// `<think>…</think>` unless the template only knows `<thinking>…</thinking>`.
    static func thinkingMarkers(in template: String) -> (open: String, close: String) {
        if !template.contains("<think>"), template.contains("<thinking>") { return ("<thinking>", "</thinking>") }
        return ("<think>", "</think>")
    }

    /// The syntax the template shows the model: Hermes/Qwen tags, Mistral's `[TOOL_CALLS]`,
    /// otherwise a bare JSON object as Llama 3.x templates ask for.
    static func toolCallFormat(in template: String) -> ToolCallFormat {
        if template.contains("<tool_call>") { return .hermes }
        if template.contains("[TOOL_CALLS]") { return .mistral }
        return .llama3JSON
    }
}

/// Whether a rendered prompt ends inside an opened marker.
enum PromptTail {
    /// True when `prompt`, without trailing whitespace, ends with `marker`.
    static func endsWith(_ marker: String, _ prompt: String) -> Bool {
        var tail = prompt[...]
        while let last = tail.last, last.isWhitespace { tail = tail.dropLast() }
        return tail.hasSuffix(marker)
    }
}
