import Hummingbird
import OllamaAPI
import Runtime

/// `POST /api/chat`.
struct ChatRoute: Sendable {
    let models: ModelService

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        let start = MonotonicClock.nanoseconds()
        var request = request
        let body = try await WireMessages.decode(ChatRequest.self, from: &request, limit: models.settings.maxBodyBytes)
        if let top = body.topLogprobs, !(0 ... 20).contains(top) { throw APIError(.badRequest, "top_logprobs must be between 0 and 20") }
        guard let name = body.model, !name.isEmpty else { throw APIError.modelRequired }
        let stored = try models.storedModel(name)
        let messages = body.messages ?? []
        func loadAnswer(_ reason: String) -> Response {
            WireMessages.json(ChatResponse(model: name, message: Message(role: "assistant", content: ""), done: true, doneReason: reason))
        }
        if messages.isEmpty, body.keepAlive?.isUnloadImmediately == true {
            await models.unload(stored)
            return loadAnswer("unload")
        }
        if let tools = body.tools, !tools.isEmpty { throw APIError(.badRequest, "\(stored.name.fullName) does not support tools") }
        if body.think?.isEnabled == true { throw APIError(.badRequest, "\"\(name)\" does not support thinking") }
        let constraint = try OutputFormat.constraint(body.format)
        let options = try RequestOptions(map: body.options ?? [:])

        let lease = try await models.lease(stored, keepAlive: body.keepAlive)
        if messages.isEmpty {
            lease.release()
            return loadAnswer("load")
        }
        let model = lease.model
        let merged = options.overriding(model.parameters)
        let tokens: [TokenID]
        do {
            tokens = try PromptBuilder.chat(messages.map { ChatMessage(role: $0.role, content: $0.content) }, model: model,
                                            limit: PromptBuilder.contextLimit(merged, model: model), truncate: body.truncate ?? true)
        } catch {
            lease.release()
            throw error
        }
        let events = models.generate(on: lease, prompt: tokens, options: SamplingOptions(merged), constraint: constraint)
        let timing = RequestTiming(start: start, loadNanoseconds: lease.waitNanoseconds)

        @Sendable func final(_ reason: DoneReason, _ metrics: GenerationMetrics, content: String) -> ChatResponse {
            ChatResponse(model: name, message: Message(role: "assistant", content: content), done: true,
                         doneReason: reason.rawValue, metrics: timing.metrics(metrics))
        }

        if body.stream == false {
            var text = ""
            var answer: ChatResponse?
            try await request.body.consumeWithCancellationOnInboundClose { _ in
                for try await event in events {
                    switch event {
                    case let .text(piece): text += piece
                    case let .done(reason, metrics, _): answer = final(reason, metrics, content: text)
                    }
                }
            }
            guard let answer else { throw APIError(.internalServerError, "the generation ended without a result") }
            return WireMessages.json(answer)
        }
        let frames = NDJSONFrames.map(events) { event in
            switch event {
            case let .text(piece): return ChatResponse(model: name, message: Message(role: "assistant", content: piece), done: false)
            case let .done(reason, metrics, _): return final(reason, metrics, content: "")
            }
        }
        return WireMessages.stream(contentType: WireMessages.ndjsonContentType, inbound: request.body, frames: frames)
    }
}
