import Foundation
import Hummingbird
import OllamaAPI
import Runtime

/// `POST /api/create`: from a model in the store, a GGUF file on this machine, or an uploaded
/// blob (`files`), with the Modelfile settings as request fields or as Modelfile text.
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
        var statuses: [ProgressResponse] = []
        var failure: APIError?
        do {
            try ModelCreator(store: models.store).create(name, from: recipe) { statuses.append(ProgressResponse(status: $0)) }
        } catch let error as ModelCreateError {
            if case .baseNotFound = error { failure = APIError(.notFound, error.description) } else { failure = APIError(.badRequest, error.description) }
        } catch {
            failure = APIError.from(error)
        }
        if body.stream == false {
            if let failure { throw failure }
            return WireMessages.json(ProgressResponse(status: "success"))
        }
        var data = Data()
        for status in statuses { data.append(WireCoding.line(status)) }
        if let failure { data.append(WireCoding.line(ErrorResponse(error: failure.message))) }
        return Response(status: .ok, headers: [.contentType: WireMessages.ndjsonContentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
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
