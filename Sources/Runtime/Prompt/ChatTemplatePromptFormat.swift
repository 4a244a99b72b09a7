import ChatTemplate

/// Renders the model's own Hugging Face chat template (`tokenizer.chat_template`), so each model
/// gets the prompt format it was trained on.
public struct ChatTemplatePromptFormat: PromptFormat {
    public let template: ChatTemplate
    /// `bos_token` / `eos_token` as transformers passes them to the template.
    public let beginOfSequence: String
    public let endOfSequence: String

    public init(source: String, beginOfSequence: String, endOfSequence: String) throws {
        template = try ChatTemplate(source: source)
        self.beginOfSequence = beginOfSequence
        self.endOfSequence = endOfSequence
    }

    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) throws -> String {
        let values = messages.map { Value.object(["role": .string($0.role), "content": .string($0.content)]) }
        return try template.render(
            messages: values, addGenerationPrompt: addGenerationPrompt,
            extra: ["bos_token": .string(beginOfSequence), "eos_token": .string(endOfSequence)])
    }

    public var capabilities: TemplateCapabilities { template.capabilities }
}
