import Foundation
import Hummingbird
import OllamaAPI
import Runtime

/// The OpenAI layer: requests are translated to the native pipeline and answers re-encoded,
/// with Ollama's defaults for the OpenAI fields (ollama `openai/openai.go`).
struct OpenAIRoutes: Sendable {
    let models: ModelService
    let embedRoutes: EmbedRoutes

    /// OpenAI's defaults differ from Ollama's: temperature and top_p are 1 unless sent.
    private func options(maxTokens: Int?, temperature: Double?, topP: Double?, seed: Int?, stop: StopList?,
                         frequencyPenalty: Double?, presencePenalty: Double?) -> RequestOptions {
        var options = RequestOptions()
        options.numPredict = maxTokens
        options.temperature = temperature ?? 1.0
        options.topP = (topP ?? 0) == 0 ? 1.0 : topP
        options.seed = seed
        options.stop = stop?.values
        options.frequencyPenalty = frequencyPenalty
        options.presencePenalty = presencePenalty
        return options
    }

    /// `stop` becomes `tool_calls` when the answer called tools (ollama `openai.go`).
    private static func finishReason(_ reason: DoneReason, toolCalls: Bool = false) -> String {
        reason == .length ? "length" : toolCalls ? "tool_calls" : "stop"
    }

    /// Prompt tokens include the ones served from the cache: OpenAI counts the whole prompt.
    private static func usage(_ metrics: GenerationMetrics) -> Usage {
        Usage(promptTokens: metrics.promptEvalCount + metrics.cachedPromptCount, completionTokens: metrics.evalCount)
    }

    private static func identifier(_ prefix: String) -> String { "\(prefix)-\(Int.random(in: 0 ..< 999))" }

    func chatCompletions(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let (body, rawBody) = try await WireMessages.decodeKeepingBody(ChatCompletionRequest.self, from: &request, limit: models.settings.maxBodyBytes)
        guard let messages = body.messages, !messages.isEmpty else { throw APIError(.badRequest, "[] is too short - 'messages'") }
        let name = body.model ?? ""
        let stored = try models.storedModel(name)
        let capabilities = ModelCapabilities.template(of: stored, in: models)
        let tools = (body.tools ?? []).map(ToolCallConversion.value)
        if !tools.isEmpty, !capabilities.contains(.tools) { throw APIError(.badRequest, "\(stored.name.fullName) does not support tools") }
        let think = OpenAIConversion.think(effort: body.reasoningEffort ?? body.reasoning?.effort)
        if think == true, !capabilities.contains(.thinking) { throw APIError(.badRequest, "\"\(name)\" does not support thinking") }
        let conversation = try OpenAIConversion.conversation(messages)
        // `json_object` → Ollama's `format:"json"`, `json_schema` → the schema (ollama openai.go).
        var constraint: OutputConstraint?
        switch body.responseFormat?.type {
        case "json_object"?: constraint = try OutputFormat.json.constraint()
        case "json_schema"?:
            if let schema = body.responseFormat?.jsonSchema?.schema { constraint = try OutputFormat.schema(schema).constraint(requestBody: rawBody, path: ["response_format", "json_schema", "schema"]) }
        default: break
        }
        let merged = options(maxTokens: body.maxCompletionTokens ?? body.maxTokens, temperature: body.temperature, topP: body.topP,
                             seed: body.seed, stop: body.stop, frequencyPenalty: body.frequencyPenalty, presencePenalty: body.presencePenalty)
        let lease = try await models.lease(stored, keepAlive: nil)
        let model = lease.model
        let applied = merged.overriding(model.parameters)
        let prompt: (tokens: [TokenID], rendered: String)
        do {
            prompt = try PromptBuilder.chatPrompt(conversation, tools: tools.isEmpty ? nil : tools, think: think, model: model,
                                                  limit: PromptBuilder.contextLimit(applied, model: model), truncate: true)
        } catch {
            lease.release()
            throw error
        }
        let parser = model.promptFormat.outputParser(renderedPrompt: prompt.rendered, thinking: think ?? true, tools: !tools.isEmpty)
        let events = parser.parse(models.generate(on: lease, prompt: prompt.tokens, options: SamplingOptions(applied), constraint: parser.constraint(constraint, tools: tools.isEmpty ? [] : ToolSchema.offered(in: rawBody))))
        let id = Self.identifier("chatcmpl")
        let created = WireTimestamp.now().seconds

        if body.stream != true {
            var answer = ChatAnswer()
            var completion: ChatCompletion?
            try await request.body.consumeWithCancellationOnInboundClose { _ in
                for try await event in events {
                    switch event {
                    case let .piece(piece): answer.add(piece)
                    case let .done(reason, metrics, _):
                        let message = ChatCompletionMessage(role: "assistant", content: answer.content, reasoning: answer.thinking.isEmpty ? nil : answer.thinking,
                                                            toolCalls: OpenAIConversion.toolCalls(answer.toolCalls))
                        completion = ChatCompletion(id: id, created: created, model: name,
                            choices: [.init(message: message, finishReason: Self.finishReason(reason, toolCalls: !answer.toolCalls.isEmpty))],
                            usage: Self.usage(metrics))
                    }
                }
            }
            guard let completion else { throw APIError(.internalServerError, "the generation ended without a result") }
            return WireMessages.closingConnection(WireMessages.json(completion))
        }
        let includeUsage = body.streamOptions?.includeUsage == true
        let calledTools = ToolCallTally()
        let frames = SSEFrames.map(events) { event, isFirst in
            switch event {
            case let .piece(piece):
                // Reasoning and content of one piece go in separate chunks (ollama `ChatWriter`).
                var deltas: [ChatCompletionMessage] = []
                if !piece.thinking.isEmpty { deltas.append(ChatCompletionMessage(reasoning: piece.thinking)) }
                if !piece.content.isEmpty || !piece.toolCalls.isEmpty {
                    var answer = ChatAnswer()
                    answer.add(ChatOutputParser.Piece(content: piece.content, toolCalls: piece.toolCalls, firstToolCallIndex: piece.firstToolCallIndex))
                    deltas.append(ChatCompletionMessage(content: piece.content, toolCalls: OpenAIConversion.toolCalls(answer.toolCalls)))
                    calledTools.add(piece.toolCalls.count)
                }
                if isFirst, !deltas.isEmpty { deltas[0].role = "assistant" }
                return deltas.map { WireMessages.event(ChatCompletionChunk(id: id, created: created, model: name, choices: [.init(delta: $0, finishReason: nil)])) }
            case let .done(reason, metrics, _):
                var frames = [WireMessages.event(ChatCompletionChunk(id: id, created: created, model: name,
                    choices: [.init(delta: ChatCompletionMessage(role: isFirst ? "assistant" : nil),
                                    finishReason: Self.finishReason(reason, toolCalls: calledTools.count > 0))]))]
                if includeUsage {
                    frames.append(WireMessages.event(ChatCompletionChunk(id: id, created: created, model: name, choices: [], usage: Self.usage(metrics))))
                }
                return frames
            }
        }
        return WireMessages.stream(contentType: "text/event-stream", inbound: request.body, frames: frames)
    }

    func completions(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let body = try await WireMessages.decode(CompletionRequest.self, from: &request, limit: models.settings.maxBodyBytes)
        let name = body.model ?? ""
        let stored = try models.storedModel(name)
        if let suffix = body.suffix, !suffix.isEmpty { throw APIError(.badRequest, "\(stored.name.fullName) does not support insert") }
        let merged = options(maxTokens: body.maxTokens, temperature: body.temperature, topP: body.topP, seed: body.seed, stop: body.stop,
                             frequencyPenalty: body.frequencyPenalty, presencePenalty: body.presencePenalty ?? 0)
        let lease = try await models.lease(stored, keepAlive: nil)
        let model = lease.model
        let applied = merged.overriding(model.parameters)
        let tokens: [TokenID]
        do {
            tokens = try PromptBuilder.completion(prompt: body.prompt ?? "", system: nil, raw: false, context: nil, model: model,
                                                  limit: PromptBuilder.contextLimit(applied, model: model))
        } catch {
            lease.release()
            throw error
        }
        let events = models.generate(on: lease, prompt: tokens, options: SamplingOptions(applied))
        let id = Self.identifier("cmpl")
        let created = WireTimestamp.now().seconds

        if body.stream != true {
            var text = ""
            var completion: TextCompletion?
            try await request.body.consumeWithCancellationOnInboundClose { _ in
                for try await event in events {
                    switch event {
                    case let .text(piece): text += piece
                    case let .done(reason, metrics, _):
                        completion = TextCompletion(id: id, created: created, model: name,
                            choices: [.init(text: text, finishReason: Self.finishReason(reason))],
                            usage: Self.usage(metrics))
                    }
                }
            }
            guard let completion else { throw APIError(.internalServerError, "the generation ended without a result") }
            return WireMessages.closingConnection(WireMessages.json(completion))
        }
        let includeUsage = body.streamOptions?.includeUsage == true
        // With include_usage, Ollama puts a zero usage on every chunk before the real one.
        let zeroUsage: Usage? = includeUsage ? Usage(promptTokens: 0, completionTokens: 0) : nil
        let frames = SSEFrames.map(events) { event, _ in
            switch event {
            case let .text(piece):
                return [WireMessages.event(TextCompletion(id: id, created: created, model: name, choices: [.init(text: piece, finishReason: nil)], usage: zeroUsage))]
            case let .done(reason, metrics, _):
                var frames = [WireMessages.event(TextCompletion(id: id, created: created, model: name,
                                                                choices: [.init(text: "", finishReason: Self.finishReason(reason))], usage: zeroUsage))]
                if includeUsage {
                    frames.append(WireMessages.event(TextCompletion(id: id, created: created, model: name, choices: [], usage: Self.usage(metrics))))
                }
                return frames
            }
        }
        return WireMessages.stream(contentType: "text/event-stream", inbound: request.body, frames: frames)
    }

    func embeddings(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let body = try await WireMessages.decode(OpenAIEmbeddingRequest.self, from: &request, limit: models.settings.maxBodyBytes)
        let texts = try body.texts()
        let format = body.encodingFormat ?? "float"
        guard format == "float" || format == "base64" else {
            throw APIError(.badRequest, "Invalid value for 'encoding_format' = \(format). Supported values: ['float', 'base64'].")
        }
        let name = body.model ?? ""
        let stored = try models.storedModel(name, notFound: APIError.modelNotFoundTryPulling)
        let result = try await embedRoutes.embed(texts, model: stored, keepAlive: nil, truncate: true, dimensions: body.dimensions)
        let items = result.vectors.enumerated().map { index, vector -> OpenAIEmbeddingList.Item in
            if format == "base64" {
                // Little-endian float32 bytes, as OpenAI encodes them.
                var bytes = Data(capacity: vector.count * 4)
                for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
                return .init(embedding: .string(bytes.base64EncodedString()), index: index)
            }
            return .init(embedding: .array(vector.map { .number(Double($0)) }), index: index)
        }
        return WireMessages.json(OpenAIEmbeddingList(data: items, model: name, usage: .init(promptTokens: result.promptTokens)))
    }

    func listModels() -> Response {
        let entries = models.store.allModelNames().compactMap { name -> OpenAIModel? in
            guard let model = try? models.store.storedModel(name) else { return nil }
            return OpenAIModel(id: name.displayShortest, created: model.modifiedAt.seconds, ownedBy: name.namespace)
        }
        return WireMessages.json(OpenAIModelList(data: entries))
    }

    func retrieveModel(_ id: String) throws -> Response {
        guard let name = ModelName(id), let model = try? models.store.storedModel(name) else {
            throw APIError(.notFound, "model '\(ModelName(id)?.displayShortest ?? id)' not found")
        }
        return WireMessages.json(OpenAIModel(id: id, created: model.modifiedAt.seconds, ownedBy: name.namespace))
    }
}

/// Turns generation events into server-sent events, then `data: [DONE]`; a failure after the
/// stream started becomes an OpenAI error object and the stream ends without `[DONE]`.
enum SSEFrames {
    static func map<Event: Sendable>(_ events: AsyncThrowingStream<Event, any Error>,
                                     _ frames: @escaping @Sendable (_ event: Event, _ isFirst: Bool) -> [ByteBuffer]) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var isFirst = true
                do {
                    for try await event in events {
                        for frame in frames(event, isFirst) { continuation.yield(frame) }
                        isFirst = false
                    }
                    continuation.yield(WireMessages.doneEvent)
                } catch is CancellationError {
                } catch {
                    let failure = APIError.from(error)
                    continuation.yield(WireMessages.event(OpenAIErrorResponse(status: Int(failure.status.code), message: failure.message)))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
