import Hummingbird
import OllamaAPI
import Runtime

/// `POST /api/create` (filled in with the Modelfile support).
struct CreateRoute: Sendable {
    let models: ModelService

    func handle(_ request: Request, context: some RequestContext) async throws -> Response {
        throw APIError(.notImplemented, "creating models is not supported yet")
    }
}
