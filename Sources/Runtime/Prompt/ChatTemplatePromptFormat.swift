import ChatTemplate

/// Renders the model's own Hugging Face chat template (`tokenizer.chat_template`), so each model
/// gets the prompt format it was trained on.
public struct ChatTemplatePromptFormat: PromptFormat {
    public let template: ChatTemplate
    /// `bos_token` / `eos_token` as transformers passes them to the template.
    public let beginOfSequence: String
    public let endOfSequence: String
    public let capabilities: TemplateCapabilities

    public init(source: String, beginOfSequence: String, endOfSequence: String) throws {
        template = try ChatTemplate(source: source)
        self.beginOfSequence = beginOfSequence
        self.endOfSequence = endOfSequence
        capabilities = template.capabilities
    }

    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) throws -> String {
        try render(messages, tools: nil, think: nil, addGenerationPrompt: addGenerationPrompt)
    }

    public func render(_ messages: [ChatMessage], tools: [Value]?, think: Bool?, addGenerationPrompt: Bool) throws -> String {
        var extra: [String: Value] = ["bos_token": .string(beginOfSequence), "eos_token": .string(endOfSequence)]
        // Absent: the template's own default (Qwen3 thinks unless told otherwise).
        if let think { extra["enable_thinking"] = .bool(think) }
        return try template.render(messages: messages.map(Self.templateMessage), tools: tools?.isEmpty == false ? tools : nil,
                                   addGenerationPrompt: addGenerationPrompt, extra: extra)
    }

    /// A message in the shape transformers passes to templates: tool calls as
    /// `{"type": "function", "function": {"name", "arguments"}}` with arguments as an object,
    /// reasoning as `reasoning_content` (Qwen3, DeepSeek-R1 templates) and as `thinking`.
    static func templateMessage(_ message: ChatMessage) -> Value {
        var object = OrderedDictionary<String, Value>()
        object["role"] = .string(message.role)
        object["content"] = .string(message.content)
        if let thinking = message.thinking, !thinking.isEmpty {
            object["reasoning_content"] = .string(thinking)
            object["thinking"] = .string(thinking)
        }
        if !message.toolCalls.isEmpty {
            object["tool_calls"] = .list(message.toolCalls.map { call in
                .object(["type": .string("function"),
                         "function": .object(["name": .string(call.name), "arguments": .dict(call.arguments)])])
            })
        }
        if let name = message.toolName, !name.isEmpty { object["name"] = .string(name) }
        if let id = message.toolCallID, !id.isEmpty { object["tool_call_id"] = .string(id) }
        return .dict(object)
    }

    public func outputParser(renderedPrompt: String, thinking: Bool, tools: Bool) -> ChatOutputParser {
        ChatOutputParser(templateSource: template.source, renderedPrompt: renderedPrompt,
                         thinking: thinking && capabilities.contains(.thinking), tools: tools && capabilities.contains(.tools))
    }
}
