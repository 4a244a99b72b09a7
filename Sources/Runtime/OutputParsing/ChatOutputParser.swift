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
    /// The marker that ends the model's thinking, when the prompt opened it: the model is
    /// certain to think, so a format constraint can wait for the marker.
    public private(set) var thinkingEndMarker: String?

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
            let opened = PromptTail.endsWith(open, renderedPrompt)
            self.thinking = ThinkingSplitter(openTag: open, closeTag: close, startsInsideThinking: opened)
            if opened { thinkingEndMarker = close }
        }
        if tools { self.tools = ToolCallParser(format: Self.toolCallFormat(in: templateSource)) }
    }

    /// A format constraint for this answer: a model whose prompt opened its thinking thinks
    /// freely, and the constraint applies once the thinking ends (as Ollama lets thinking models
    /// think before constraining, `ChatHandler`). Elsewhere the constraint applies at once, so
    /// an answer that never thinks is still constrained.
    public func constraint(_ constraint: OutputConstraint?) -> OutputConstraint? {
        guard var constraint, let thinkingEndMarker else { return constraint }
        constraint.activation = .afterText(thinkingEndMarker)
        return constraint
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
