import Hummingbird
import OllamaAPI
import Runtime

/// Wraps the router with what applies to every request, in Ollama's order: CORS, the Host
/// check, the optional API key, then the route; errors become Ollama's bodies (OpenAI's under
/// `/v1`), unknown paths `404 page not found`, known paths with another method `405`.
struct OllamaResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == BasicRequestContext {
    typealias Context = BasicRequestContext

    let inner: Inner
    let routes: RouteTable
    let origins: OriginPolicy
    let hosts: HostPolicy
    let apiKey: String?
    /// Counts every answer by route pattern and status.
    let metrics: ServingMetrics

    func respond(to request: Request, context: Context) async throws -> Response {
        let host = request.head.authority
        var corsHeaders = HTTPFields()
        if let origin = request.headers[.origin], origin != "http://\(host ?? "")" {
            guard origins.allows(origin) else { return Response(status: .forbidden) }
            corsHeaders[.accessControlAllowOrigin] = origin
            corsHeaders[.vary] = "Origin"
            if request.method == .options {
                corsHeaders[.accessControlAllowMethods] = OriginPolicy.allowedMethods
                corsHeaders[.accessControlAllowHeaders] = OriginPolicy.allowedHeaders
                corsHeaders[.accessControlMaxAge] = String(12 * 3600)
                return Response(status: .noContent, headers: corsHeaders)
            }
        }
        guard hosts.allows(host) else { return Response(status: .forbidden) }
        let served = ServedEngine()
        var response = await ServedEngine.$current.withValue(served) { await route(request, context: context) }
        if let engine = served.name { response.headers[ServedEngine.headerName] = engine }
        for field in corsHeaders { response.headers.append(field) }
        metrics.request(endpoint: routes.pattern(for: request.uri.path) ?? "unmatched", status: Int(response.status.code))
        return response
    }

    private func route(_ request: Request, context: Context) async -> Response {
        let path = request.uri.path
        let isOpenAI = path.hasPrefix("/v1/")
        // `/` and `/health` stay open so that supervisors can probe without the key.
        if let apiKey, !((path == "/" || path == "/health") && (request.method == .get || request.method == .head)) {
            guard request.headers[.authorization] == "Bearer \(apiKey)" else {
                let error = APIError(.unauthorized, "unauthorized: send the server's API key as 'Authorization: Bearer <key>'")
                return isOpenAI ? WireMessages.openAIError(error) : WireMessages.nativeError(error)
            }
        }
        // Unknown paths and methods answer as gin does (HandleMethodNotAllowed is on in Ollama).
        if !routes.hasMethod(request.method, path: path) {
            let allowed = routes.methods(for: path)
            guard !allowed.isEmpty else { return WireMessages.text("404 page not found", status: .notFound) }
            var response = WireMessages.text("405 method not allowed", status: .methodNotAllowed)
            response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            return response
        }
        do {
            return try await inner.respond(to: request, context: context)
        } catch let error as HTTPError {
            let failure = APIError(error.status, error.body ?? error.status.reasonPhrase)
            return isOpenAI ? WireMessages.openAIError(failure) : WireMessages.nativeError(failure)
        } catch {
            let failure = APIError.from(error)
            return isOpenAI ? WireMessages.openAIError(failure) : WireMessages.nativeError(failure)
        }
    }
}

/// The methods registered for each path, for 405 answers with an `Allow` header.
struct RouteTable: Sendable {
    private(set) var entries: [(pattern: String, method: HTTPRequest.Method)] = []

    mutating func add(_ pattern: String, _ method: HTTPRequest.Method) { entries.append((pattern, method)) }

    func methods(for path: String) -> [HTTPRequest.Method] {
        var seen: [HTTPRequest.Method] = []
        for entry in entries where Self.matches(path, entry.pattern) && !seen.contains(entry.method) { seen.append(entry.method) }
        return seen
    }

    func hasMethod(_ method: HTTPRequest.Method, path: String) -> Bool { methods(for: path).contains(method) }

    /// The registered pattern a path matches (a metric label that stays bounded).
    func pattern(for path: String) -> String? { entries.first { Self.matches(path, $0.pattern) }?.pattern }

    /// `:name` matches one path segment.
    static func matches(_ path: String, _ pattern: String) -> Bool {
        let a = path.split(separator: "/", omittingEmptySubsequences: false)
        let b = pattern.split(separator: "/", omittingEmptySubsequences: false)
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { $1.hasPrefix(":") ? !$0.isEmpty : $0 == $1 }
    }
}
