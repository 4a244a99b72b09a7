import ChatTemplate
import OllamaAPI
import Runtime

/// Turns a request into prompt tokens the way Ollama does: Modelfile messages and system prompt
/// first, the oldest turns dropped when the conversation does not fit the context.
enum PromptBuilder {
    /// Tokens of a chat, with the request's tools and `think` flag passed to the template, and
    /// the rendered text (it tells the output parser whether the prompt opened a thinking
    /// block). `limit` is the context the request may use; one position is kept free for the
    /// first generated token.
    static func chatPrompt(_ conversation: [ChatMessage], tools: [Value]? = nil, think: Bool? = nil, model: LoadedModel,
                           limit: Int, truncate: Bool) throws -> (tokens: [TokenID], rendered: String) {
        var messages = model.messages + conversation
        if let system = model.stored.system, !system.isEmpty, messages.first?.role != "system" {
            messages.insert(.system(system), at: 0)
        }
        var prompt = try encode(messages, tools: tools, think: think, model: model)
        // Drop the oldest non-system message (never the last one) until the prompt fits
        // (ollama `chatPrompt`).
        while truncate && prompt.tokens.count >= limit {
            guard let oldest = messages.indices.dropLast().first(where: { messages[$0].role != "system" }) else { break }
            messages.remove(at: oldest)
            prompt = try encode(messages, tools: tools, think: think, model: model)
        }
        guard prompt.tokens.count < limit else { throw APIError.promptTooLong }
        return prompt
    }

    /// Tokens of `/api/generate`: the prompt as the user turn (with the system prompt) through
    /// the chat template, or the prompt itself when `raw`. `context` from an earlier answer goes
    /// first (ollama `GenerateHandler`).
    static func completion(prompt: String, system: String?, raw: Bool, context: [Int]?, model: LoadedModel, limit: Int,
                           template: GoTemplate? = nil, suffix: String? = nil) throws -> [TokenID] {
        try completionPrompt(prompt: prompt, system: system, raw: raw, context: context, model: model, limit: limit,
                             template: template, suffix: suffix).tokens
    }

    /// As `completion`, with the `think` flag for the model's chat template, and the rendered
    /// text (empty for raw prompts and Go-template overrides, which the output parser leaves alone).
    static func completionPrompt(prompt: String, system: String?, raw: Bool, context: [Int]?, model: LoadedModel, limit: Int,
                                 template: GoTemplate? = nil, suffix: String? = nil, think: Bool? = nil) throws -> (tokens: [TokenID], rendered: String?) {
        var renderedChat: String?
        var tokens = (context ?? []).map { TokenID(clamping: $0) }
        if let template {
            // A request's Go-template override, with Ollama's template values (ollama template.go).
            let system = system ?? model.stored.system ?? ""
            var messages: [GoTemplate.Message] = system.isEmpty ? [] : [.init(role: "system", content: system)]
            messages.append(.init(role: "user", content: prompt))
            let rendered: String
            do {
                rendered = try template.render(system: system, prompt: prompt, suffix: suffix ?? "", messages: messages)
            } catch {
                throw APIError(.badRequest, "template: \(error)")
            }
            tokens += model.tokenizer.encode(rendered, addSpecial: tokens.isEmpty, parseSpecial: true)
        } else if raw {
            tokens += model.tokenizer.encode(prompt, addSpecial: tokens.isEmpty, parseSpecial: true)
        } else {
            var messages: [ChatMessage] = []
            if let system = system ?? model.stored.system, !system.isEmpty { messages.append(.system(system)) }
            messages.append(.user(prompt))
            let rendered = try model.promptFormat.render(messages, tools: nil, think: think, addGenerationPrompt: true)
            renderedChat = rendered
            tokens += model.tokenizer.encode(rendered, addSpecial: tokens.isEmpty, parseSpecial: true)
        }
        guard tokens.count < limit else { throw APIError.promptTooLong }
        return (tokens, renderedChat)
    }

    private static func encode(_ messages: [ChatMessage], tools: [Value]?, think: Bool?, model: LoadedModel) throws -> (tokens: [TokenID], rendered: String) {
        let rendered = try model.promptFormat.render(messages, tools: tools, think: think, addGenerationPrompt: true)
        return (model.tokenizer.encode(rendered, addSpecial: true, parseSpecial: true), rendered)
    }

    /// The context a request may use: its `num_ctx`, capped by what the model was loaded with.
    static func contextLimit(_ options: RequestOptions, model: LoadedModel) -> Int {
        min(max(options.numCtx ?? model.contextLength, 4), model.contextLength)
    }
}
