import ChatTemplate
import OllamaAPI
import Runtime

/// Turns a request into prompt tokens the way Ollama does: Modelfile messages and system prompt
/// first, the oldest turns dropped when the conversation does not fit the context.
enum PromptBuilder {
    /// Tokens of a chat. `limit` is the context the request may use; one position is kept free
    /// for the first generated token.
    static func chat(_ conversation: [ChatMessage], model: LoadedModel, limit: Int, truncate: Bool) throws -> [TokenID] {
        var messages = model.messages + conversation
        if let system = model.stored.system, !system.isEmpty, messages.first?.role != "system" {
            messages.insert(.system(system), at: 0)
        }
        var tokens = try encode(messages, model: model)
        // Drop the oldest non-system message (never the last one) until the prompt fits
        // (ollama `chatPrompt`).
        while truncate && tokens.count >= limit {
            guard let oldest = messages.indices.dropLast().first(where: { messages[$0].role != "system" }) else { break }
            messages.remove(at: oldest)
            tokens = try encode(messages, model: model)
        }
        guard tokens.count < limit else { throw APIError.promptTooLong }
        return tokens
    }

    /// Tokens of `/api/generate`: the prompt as the user turn (with the system prompt) through
    /// the chat template, or the prompt itself when `raw`. `context` from an earlier answer goes
    /// first (ollama `GenerateHandler`).
    static func completion(prompt: String, system: String?, raw: Bool, context: [Int]?, model: LoadedModel, limit: Int,
                           template: GoTemplate? = nil, suffix: String? = nil) throws -> [TokenID] {
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
            let rendered = try model.promptFormat.render(messages, addGenerationPrompt: true)
            tokens += model.tokenizer.encode(rendered, addSpecial: tokens.isEmpty, parseSpecial: true)
        }
        guard tokens.count < limit else { throw APIError.promptTooLong }
        return tokens
    }

    private static func encode(_ messages: [ChatMessage], model: LoadedModel) throws -> [TokenID] {
        let rendered = try model.promptFormat.render(messages, addGenerationPrompt: true)
        return model.tokenizer.encode(rendered, addSpecial: true, parseSpecial: true)
    }

    /// The context a request may use: its `num_ctx`, capped by what the model was loaded with.
    static func contextLimit(_ options: RequestOptions, model: LoadedModel) -> Int {
        min(max(options.numCtx ?? model.contextLength, 4), model.contextLength)
    }
}
