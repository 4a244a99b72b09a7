import Foundation
import Hummingbird
import OllamaAPI
import Runtime

/// `POST /api/create`: from a model in the store, a GGUF file or an NPU model package directory on
/// this machine, or an uploaded blob (`files`), with the Modelfile settings as request fields or
/// as Modelfile text.
struct CreateRoute: Sendable {
    let models: ModelService

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let body = try await WireMessages.decode(CreateRequest.self, from: &request, limit: models.settings.maxBodyBytes)
        guard let text = body.modelName, let name = ModelName(text) else { throw APIError.invalidModelName }
        let recipe: ModelRecipe
        do {
            recipe = try Self.recipe(body)
        } catch let error as ModelfileError {
            throw APIError(.badRequest, error.description)
        }
        let creator = ModelCreator(store: models.store, packageReader: models.packageReader)
        if body.stream == false {
            try await Self.run(creator, name, recipe) { _ in }
            return WireMessages.json(ProgressResponse(status: "success"))
        }
        // Each status line is written as the step starts (ollama `CreateHandler` streams them);
        // a failure ends the stream with an error line.
        let (frames, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        Task {
            do {
                try await Self.run(creator, name, recipe) { continuation.yield(WireMessages.line(ProgressResponse(status: $0))) }
            } catch {
                continuation.yield(WireMessages.line(ErrorResponse(error: APIError.from(error).message)))
            }
            continuation.finish()
        }
        return WireMessages.stream(contentType: WireMessages.ndjsonContentType, inbound: request.body, frames: frames)
    }

    /// Creates the model off the request's task (copying a GGUF blocks for a while), mapping the
    /// creator's errors to Ollama's statuses: a base that does not exist is 404, bad input 400.
    static func run(_ creator: ModelCreator, _ name: ModelName, _ recipe: ModelRecipe,
                    progress: @escaping @Sendable (String) -> Void) async throws {
        let work = Task.detached { try creator.create(name, from: recipe, progress: progress) }
        do {
            try await work.value
        } catch let error as ModelCreateError {
            if case .baseNotFound = error { throw APIError(.notFound, error.description) }
            throw APIError(.badRequest, error.description)
        }
    }

    /// The request fields win over the Modelfile text's.
    static func recipe(_ body: CreateRequest) throws -> ModelRecipe {
        let modelfile = try body.modelfile.map { try Modelfile(parsing: $0) }
        let from = body.from ?? modelfile?.from
        let base: ModelRecipe.Base
        if let files = body.files, let digest = files.first(where: { $0.key.hasSuffix(".gguf") })?.value ?? files.values.first {
            guard let normalized = ModelStore.normalizedDigest(digest) else { throw APIError(.badRequest, "invalid digest format") }
            base = .blob(digest: normalized)
        } else if let from, let digest = ModelStore.normalizedDigest(from.hasPrefix("@") ? String(from.dropFirst()) : from) {
            base = .blob(digest: digest)
        } else if let from, from.hasPrefix("/") || from.hasPrefix("./") || from.hasPrefix("~") || from.lowercased().hasSuffix(".gguf") {
            let path = from.hasPrefix("~") ? NSString(string: from).expandingTildeInPath : from
            base = .file(URL(fileURLWithPath: path))
        } else if let from, let name = ModelName(from) {
            base = .model(name)
        } else {
            throw APIError(.badRequest, from == nil ? "neither 'from' nor 'files' was specified" : "invalid model name")
        }

        var parameters: [(key: String, value: JSONValue)] = []
        var lists: [String: [JSONValue]] = [:]
        for (name, value) in modelfile?.parameters ?? [] {
            guard let typed = try RequestOptions.typedValue(name: name, text: value) else {
                throw APIError(.badRequest, "unknown parameter '\(name)'")
            }
            if RequestOptions.isList(name) { lists[name, default: []].append(typed) } else { parameters.append((name, typed)) }
        }
        for (name, values) in lists.sorted(by: { $0.key < $1.key }) { parameters.append((name, .array(values))) }
        for (name, value) in (body.parameters ?? [:]).sorted(by: { $0.key < $1.key }) {
            parameters.removeAll { $0.key == name }
            parameters.append((name, value))
        }
        // Checks the types the same way a request's options are checked.
        _ = try RequestOptions(map: Dictionary(parameters.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))

        var messages = modelfile?.messages.map { Message(role: $0.role, content: $0.content) } ?? []
        if let sent = body.messages { messages = sent }
        return ModelRecipe(
            base: base,
            template: body.template ?? modelfile?.template,
            system: body.system ?? modelfile?.system,
            license: body.license?.texts ?? modelfile?.license ?? [],
            parametersJSON: parameters.isEmpty ? nil : WireCoding.encode(JSONValue.object(parameters)),
            messagesJSON: messages.isEmpty ? nil : WireCoding.encode(messages))
    }
}
