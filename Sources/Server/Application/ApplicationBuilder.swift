import Hummingbird
import Logging
import OllamaAPI

/// Every route of the native API and the OpenAI layer, on one router.
public func buildRouter(models: ModelService) -> some HTTPResponder<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    var table = RouteTable()
    let generate = GenerateRoute(models: models)
    let chat = ChatRoute(models: models)
    let embed = EmbedRoutes(models: models)
    let manage = ModelRoutes(models: models)
    let creation = CreateRoute(models: models)
    let openAI = OpenAIRoutes(models: models, embedRoutes: embed)
    let operations = OperationsRoutes(models: models)
    let settings = models.settings

    func on(_ path: String, _ methods: [HTTPRequest.Method], _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response) {
        for method in methods {
            table.add(path, method)
            router.on(RouterPath(path), method: method, use: handler)
        }
    }

    on("/", [.get, .head]) { _, _ in InfoRoutes.root() }
    on("/api/version", [.get, .head]) { _, _ in InfoRoutes.version(settings) }
    on("/health", [.get]) { _, _ in await operations.health() }
    on("/metrics", [.get]) { _, _ in await operations.metrics() }
    on("/api/generate", [.post]) { try await generate.handle($0, context: $1) }
    on("/api/chat", [.post]) { try await chat.handle($0, context: $1) }
    on("/api/embed", [.post]) { try await embed.embed($0, context: $1) }
    on("/api/embeddings", [.post]) { try await embed.embeddings($0, context: $1) }
    on("/api/tags", [.get, .head]) { _, _ in manage.tags() }
    on("/api/show", [.post]) { try await manage.show($0, context: $1) }
    on("/api/ps", [.get]) { _, _ in await manage.ps() }
    on("/api/create", [.post]) { try await creation.handle($0, context: $1) }
    on("/api/copy", [.post]) { try await manage.copy($0, context: $1) }
    on("/api/delete", [.delete]) { try await manage.delete($0, context: $1) }
    on("/api/pull", [.post]) { try await manage.pull($0, context: $1) }
    on("/api/push", [.post]) { try await manage.push($0, context: $1) }
    on("/api/blobs/:digest", [.head]) { _, context in try manage.blobExists(context.parameters.get("digest") ?? "") }
    on("/api/blobs/:digest", [.post]) { request, context in try await manage.uploadBlob(request, digest: context.parameters.get("digest") ?? "") }
    on("/v1/chat/completions", [.post]) { try await openAI.chatCompletions($0, context: $1) }
    on("/v1/completions", [.post]) { try await openAI.completions($0, context: $1) }
    on("/v1/embeddings", [.post]) { try await openAI.embeddings($0, context: $1) }
    on("/v1/models", [.get]) { _, _ in openAI.listModels() }
    on("/v1/models/:model", [.get]) { _, context in try openAI.retrieveModel(context.parameters.get("model") ?? "") }

    return OllamaResponder(inner: router.buildResponder(), routes: table, origins: OriginPolicy(extraOrigins: settings.extraOrigins),
                           hosts: HostPolicy(enabled: settings.address.isLoopback), apiKey: settings.apiKey,
                          metrics: models.observability.metrics)
}

/// The server as a service: `runService()` listens until SIGINT/SIGTERM, lets streams in flight
/// finish, then returns; the caller unloads the models.
/// `onListening` receives the bound port (useful with port 0).
public func buildApplication(models: ModelService, logger: Logger = Logger(label: "axllama"),
                             onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
    Application(
        responder: buildRouter(models: models),
        configuration: ApplicationConfiguration(
            address: .hostname(models.settings.address.host, port: models.settings.address.port), serverName: nil),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
        logger: logger)
}
