/// Turns a conversation into the prompt text a model was trained on.
public protocol PromptFormat: Sendable {
    func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) throws -> String
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
