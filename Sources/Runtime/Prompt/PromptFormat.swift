import ChatTemplate

/// Turns a conversation into the prompt text a model was trained on.
public protocol PromptFormat: Sendable {
    func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) throws -> String
    /// With the request's tool definitions (JSON objects in the shape clients send) and its
    /// `think` flag (nil: the template's own default).
    func render(_ messages: [ChatMessage], tools: [Value]?, think: Bool?, addGenerationPrompt: Bool) throws -> String
    /// What the format can do with tools and thinking.
    var capabilities: TemplateCapabilities { get }
    /// How the model's output is split into thinking, content and tool calls, given the prompt
    /// that was rendered for it.
    func outputParser(renderedPrompt: String, thinking: Bool, tools: Bool) -> ChatOutputParser
}

extension PromptFormat {
    /// Formats without tools or thinking ignore both.
    public func render(_ messages: [ChatMessage], tools: [Value]?, think: Bool?, addGenerationPrompt: Bool) throws -> String {
        try render(messages, addGenerationPrompt: addGenerationPrompt)
    }

    public var capabilities: TemplateCapabilities { [] }

    public func outputParser(renderedPrompt: String, thinking: Bool, tools: Bool) -> ChatOutputParser { ChatOutputParser() }
}

/// ChatML (`<|im_start|>role\ncontent<|im_end|>\n`), the format of SmolLM2 and Qwen models.
/// It stands in for the model's own chat template until templates are rendered from the GGUF.
public struct ChatMLPromptFormat: PromptFormat {
    /// Used when the conversation has no system message, as SmolLM2's own template does.
    public var defaultSystemPrompt: String?

    public init(defaultSystemPrompt: String? = nil) {
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) throws -> String {
        var text = ""
        if let defaultSystemPrompt, messages.first?.role != "system" {
            text += "<|im_start|>system\n\(defaultSystemPrompt)<|im_end|>\n"
        }
        for message in messages {
            text += "<|im_start|>\(message.role)\n\(message.content)<|im_end|>\n"
        }
        if addGenerationPrompt { text += "<|im_start|>assistant\n" }
        return text
    }
}
