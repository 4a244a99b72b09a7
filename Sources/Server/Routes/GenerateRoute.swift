import ChatTemplate
import Hummingbird
import OllamaAPI
import Runtime

/// `POST /api/generate`, in Ollama's order of checks: body → name → lookup → unload → raw
/// conflicts → capabilities → load → empty prompt (load only) → prompt → stream.
struct GenerateRoute: Sendable {
    let models: ModelService

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        let start = MonotonicClock.nanoseconds()
        var request = request
        let (body, rawBody) = try await WireMessages.decodeKeepingBody(GenerateRequest.self, from: &request, limit: models.settings.maxBodyBytes)
        if let top = body.topLogprobs, !(0 ... 20).contains(top) { throw APIError(.badRequest, "top_logprobs must be between 0 and 20") }
        let name = body.model ?? ""
        // A missing model is a lookup of '' (ollama routes_generate_test.go).
        let stored = try models.storedModel(name)
        let prompt = body.prompt ?? ""
        if prompt.isEmpty, body.keepAlive?.isUnloadImmediately == true {
            await models.unload(stored)
            return WireMessages.json(GenerateResponse(model: name, response: "", done: true, doneReason: "unload"))
        }
        if body.raw == true, body.template?.isEmpty == false || body.system?.isEmpty == false || body.context?.isEmpty == false {
            throw APIError(.badRequest, "raw mode does not support template, system, or context")
        }
        var template: GoTemplate?
        if let source = body.template, !source.isEmpty {
            do {
                template = try GoTemplate(source: source)
            } catch {
                throw APIError(.badRequest, "template: \(error)")
            }
        }
        // Fill-in-the-middle needs a template that places the suffix (ollama `insert` capability).
        if let suffix = body.suffix, !suffix.isEmpty, template?.capabilities.contains(.insert) != true {
            throw APIError(.badRequest, "\(stored.name.fullName) does not support insert")
        }
        if body.think?.isEnabled == true, !ModelCapabilities.template(of: stored, in: models).contains(.thinking) {
            throw APIError(.badRequest, "\"\(name)\" does not support thinking")
        }
        let constraint = try OutputFormat.constraint(body.format, requestBody: rawBody)
        let options = try RequestOptions(map: body.options ?? [:])

        let lease = try await models.lease(stored, keepAlive: body.keepAlive)
        if prompt.isEmpty {
            lease.release()
            return WireMessages.json(GenerateResponse(model: name, response: "", done: true, doneReason: "load"))
        }
        let model = lease.model
        let merged = options.overriding(model.parameters)
        let tokens: [TokenID]
        let think = body.think.map(\.isEnabled)
        var parser = ChatOutputParser()
        do {
            let built = try PromptBuilder.completionPrompt(prompt: prompt, system: body.system, raw: body.raw == true, context: body.context,
                                                           model: model, limit: PromptBuilder.contextLimit(merged, model: model),
                                                           template: template, suffix: body.suffix, think: think)
            tokens = built.tokens
            // Thinking is split from answers rendered through the model's own template.
            if let rendered = built.rendered { parser = model.promptFormat.outputParser(renderedPrompt: rendered, thinking: think ?? true, tools: false) }
        } catch {
            lease.release()
            throw error
        }
        let events = parser.parse(models.generate(on: lease, prompt: tokens, options: SamplingOptions(merged), constraint: parser.constraint(constraint)))
        let timing = RequestTiming(start: start, loadNanoseconds: lease.waitNanoseconds)
        let includeContext = body.raw != true

        @Sendable func final(_ reason: DoneReason, _ metrics: GenerationMetrics, _ context: [TokenID], response: String, thinking: String) -> GenerateResponse {
            GenerateResponse(model: name, response: response, thinking: thinking.isEmpty ? nil : thinking, done: true, doneReason: reason.rawValue,
                             context: includeContext ? context.map(Int.init) : nil, metrics: timing.metrics(metrics))
        }

        if body.stream == false {
            var text = "", thinking = ""
            var answer: GenerateResponse?
            try await request.body.consumeWithCancellationOnInboundClose { _ in
                for try await event in events {
                    switch event {
                    case let .piece(piece):
                        text += piece.content
                        thinking += piece.thinking
                    case let .done(reason, metrics, context): answer = final(reason, metrics, context, response: text, thinking: thinking)
                    }
                }
            }
            guard let answer else { throw APIError(.internalServerError, "the generation ended without a result") }
            return WireMessages.closingConnection(WireMessages.json(answer))
        }
        let frames = NDJSONFrames.map(events) { event in
            switch event {
            case let .piece(piece):
                return GenerateResponse(model: name, response: piece.content, thinking: piece.thinking.isEmpty ? nil : piece.thinking, done: false)
            case let .done(reason, metrics, context): return final(reason, metrics, context, response: "", thinking: "")
            }
        }
        return WireMessages.stream(contentType: WireMessages.ndjsonContentType, inbound: request.body, frames: frames)
    }
}

/// Ollama's request-level timings: `total_duration` from the handler's start, `load_duration`
/// from the wait for the model (at least 1 ns, because clients check that it is present and
/// Go omits zero values).
struct RequestTiming: Sendable {
    let start: UInt64
    let loadNanoseconds: UInt64

    func metrics(_ generation: GenerationMetrics) -> OllamaAPI.Metrics {
        OllamaAPI.Metrics(
            totalDuration: Int64(MonotonicClock.nanoseconds() - start),
            loadDuration: Int64(max(1, loadNanoseconds)),
            promptEvalCount: generation.promptEvalCount,
            promptEvalDuration: Int64(max(1, generation.promptEvalDuration)),
            evalCount: generation.evalCount,
            evalDuration: Int64(max(1, generation.evalDuration)))
    }
}

/// Turns generation events into NDJSON lines; an error after the stream started becomes a
/// final `{"error": …}` line (the status is already 200).
enum NDJSONFrames {
    static func map<Event: Sendable, Chunk: Encodable & Sendable>(_ events: AsyncThrowingStream<Event, any Error>,
                                                                  _ transform: @escaping @Sendable (Event) -> Chunk) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await event in events { continuation.yield(WireMessages.line(transform(event))) }
                } catch is CancellationError {
                } catch {
                    continuation.yield(WireMessages.line(ErrorResponse(error: APIError.from(error).message)))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
