import Hummingbird
import OllamaAPI
import Runtime

/// `POST /api/chat`.
struct ChatRoute: Sendable {
    let models: ModelService

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        let start = MonotonicClock.nanoseconds()
        var request = request
        let (body, rawBody) = try await WireMessages.decodeKeepingBody(ChatRequest.self, from: &request, limit: models.settings.maxBodyBytes)
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
        let capabilities = ModelCapabilities.template(of: stored, in: models)
        let tools = (body.tools ?? []).map(ToolCallConversion.value)
        if !tools.isEmpty, !capabilities.contains(.tools) { throw APIError(.badRequest, "\(stored.name.fullName) does not support tools") }
        if body.think?.isEnabled == true, !capabilities.contains(.thinking) { throw APIError(.badRequest, "\"\(name)\" does not support thinking") }
        let constraint = try OutputFormat.constraint(body.format, requestBody: rawBody)
        let options = try RequestOptions(map: body.options ?? [:])

        let lease = try await models.lease(stored, keepAlive: body.keepAlive)
        if messages.isEmpty {
            lease.release()
            return loadAnswer("load")
        }
        let model = lease.model
        let merged = options.overriding(model.parameters)
        let prompt: (tokens: [TokenID], rendered: String)
        // Absent `think` lets a thinking model think (the template's default), as Ollama does.
        let think = body.think.map(\.isEnabled)
        do {
            prompt = try PromptBuilder.chatPrompt(messages.map(ToolCallConversion.chatMessage), tools: tools.isEmpty ? nil : tools, think: think,
                                                  model: model, limit: PromptBuilder.contextLimit(merged, model: model), truncate: body.truncate ?? true)
        } catch {
            lease.release()
            throw error
        }
        let parser = model.promptFormat.outputParser(renderedPrompt: prompt.rendered, thinking: think ?? true, tools: !tools.isEmpty)
        let events = parser.parse(models.generate(on: lease, prompt: prompt.tokens, options: SamplingOptions(merged), constraint: parser.constraint(constraint, tools: tools.isEmpty ? [] : ToolSchema.offered(in: rawBody))))
        let timing = RequestTiming(start: start, loadNanoseconds: lease.waitNanoseconds)

        @Sendable func final(_ reason: DoneReason, _ metrics: GenerationMetrics, _ message: Message) -> ChatResponse {
            ChatResponse(model: name, message: message, done: true, doneReason: reason.rawValue, metrics: timing.metrics(metrics))
        }

        if body.stream == false {
            var answer = ChatAnswer()
            var response: ChatResponse?
            try await request.body.consumeWithCancellationOnInboundClose { _ in
                for try await event in events {
                    switch event {
                    case let .piece(piece): answer.add(piece)
                    case let .done(reason, metrics, _): response = final(reason, metrics, answer.message)
                    }
                }
            }
            guard let response else { throw APIError(.internalServerError, "the generation ended without a result") }
            return WireMessages.closingConnection(WireMessages.json(response))
        }
        let frames = NDJSONFrames.map(events) { event in
            switch event {
            case let .piece(piece):
                var chunk = ChatAnswer()
                chunk.add(piece)
                return ChatResponse(model: name, message: chunk.message, done: false)
            case let .done(reason, metrics, _): return final(reason, metrics, Message(role: "assistant", content: ""))
            }
        }
        return WireMessages.stream(contentType: WireMessages.ndjsonContentType, inbound: request.body, frames: frames)
    }
}

/// The assistant message gathered from parsed pieces: content and thinking concatenated, tool
/// calls in the order they came (Ollama's non-streamed answer; a streamed chunk is one piece).
struct ChatAnswer {
    private(set) var content = ""
    private(set) var thinking = ""
    private(set) var toolCalls: [OllamaAPI.ToolCall] = []

    mutating func add(_ piece: ChatOutputParser.Piece) {
        content += piece.content
        thinking += piece.thinking
        for (offset, call) in piece.toolCalls.enumerated() {
            toolCalls.append(ToolCallConversion.wire(call, index: piece.firstToolCallIndex + offset))
        }
    }

    var message: Message {
        Message(role: "assistant", content: content, thinking: thinking.isEmpty ? nil : thinking, toolCalls: toolCalls.isEmpty ? nil : toolCalls)
    }
}
