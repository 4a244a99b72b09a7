import ChatTemplate

/// A Modelfile `TEMPLATE` in Ollama's Go-template syntax, used in place of the model's own chat
/// template. Templates that range over `.Messages` see the whole conversation; older
/// prompt-style templates (`.System`, `.Prompt`, `.Response`) are rendered once per turn and
/// concatenated, as Ollama does for them (ollama `template.Execute`).
public struct GoTemplatePromptFormat: PromptFormat {
    public let template: GoTemplate
    private let usesMessages: Bool

    public init(source: String) throws {
        template = try GoTemplate(source: source)
        usesMessages = source.contains(".Messages")
    }

    public var capabilities: TemplateCapabilities { template.capabilities }

    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) throws -> String {
        try render(messages, tools: nil, think: nil, addGenerationPrompt: addGenerationPrompt)
    }

    public func render(_ messages: [ChatMessage], tools: [Value]?, think: Bool?, addGenerationPrompt: Bool) throws -> String {
        let system = messages.filter { $0.role == "system" }.map(\.content).joined(separator: "\n\n")
        if usesMessages {
            let converted = messages.map {
                GoTemplate.Message(role: $0.role, content: $0.content, thinking: $0.thinking ?? "",
                                   toolCalls: $0.toolCalls, toolName: $0.toolName ?? "")
            }
            return try template.render(system: system, messages: converted, tools: tools ?? [],
                                       think: think ?? false, isThinkSet: think != nil)
        }
        // One rendering per user turn, with the assistant's answer as `.Response`; the system
        // prompt goes with the first turn only.
        var text = ""
        var pendingPrompt: String?
        var firstTurn = true
        func flush(response: String) throws {
            guard let prompt = pendingPrompt else { return }
            text += try template.render(system: firstTurn ? system : "", prompt: prompt, response: response)
            firstTurn = false
            pendingPrompt = nil
        }
        for message in messages where message.role != "system" {
            if message.role == "assistant" {
                if pendingPrompt == nil { pendingPrompt = "" }
                try flush(response: message.content)
            } else {
                try flush(response: "")
                pendingPrompt = message.content
            }
        }
        if pendingPrompt == nil && firstTurn { pendingPrompt = "" }
        try flush(response: "")
        return text
    }
}
