import Foundation
import Hummingbird
import OllamaAPI
import Runtime

/// `POST /api/embed`, `POST /api/embeddings` and the shared work of `/v1/embeddings`.
struct EmbedRoutes: Sendable {
    let models: ModelService

    struct Embeddings {
        var vectors: [[Float]]
        var promptTokens: Int
        var loadNanoseconds: UInt64
    }

    /// Embeds `texts` one after the other on the leased model; each vector is L2-normalised and,
    /// with `dimensions`, cut and normalised again (ollama `EmbedHandler`).
    func embed(_ texts: [String], model stored: StoredModel, keepAlive: KeepAlive?, truncate: Bool, dimensions: Int?) async throws -> Embeddings {
        let lease = try await models.lease(stored, keepAlive: keepAlive)
        defer { lease.release() }
        let model = lease.model
        var result = Embeddings(vectors: [], promptTokens: 0, loadNanoseconds: lease.waitNanoseconds)
        for text in texts {
            var tokens = model.tokenizer.encode(text, addSpecial: true, parseSpecial: false)
            if tokens.count > model.contextLength {
                guard truncate else { throw APIError(.badRequest, "the input length exceeds the context length") }
                tokens = Array(tokens.prefix(model.contextLength))
            }
            result.promptTokens += tokens.count
            var vector = try await model.session.engine.embedding(for: tokens)
            if let dimensions, dimensions > 0, dimensions < vector.count { vector = Array(vector.prefix(dimensions)) }
            guard vector.allSatisfy(\.isFinite) else { throw APIError(.internalServerError, "embedding contains NaN or Inf values") }
            result.vectors.append(Self.normalized(vector))
        }
        return result
    }

    static func normalized(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }

    func embed(_ request: Request, context: some RequestContext) async throws -> Response {
        let start = MonotonicClock.nanoseconds()
        var request = request
        let body = try await WireMessages.decode(EmbedRequest.self, from: &request, limit: models.settings.maxBodyBytes)
        let name = body.model ?? ""
        let stored = try models.storedModel(name, notFound: APIError.modelNotFoundTryPulling)
        _ = try RequestOptions(map: body.options ?? [:])
        let texts = body.input?.texts ?? []
        let result = try await embed(texts, model: stored, keepAlive: body.keepAlive, truncate: body.truncate ?? true, dimensions: body.dimensions)
        return WireMessages.json(EmbedResponse(
            model: name, embeddings: result.vectors,
            totalDuration: Int64(MonotonicClock.nanoseconds() - start), loadDuration: Int64(max(1, result.loadNanoseconds)),
            promptEvalCount: result.promptTokens))
    }

    /// The legacy endpoint: one prompt, `{"embedding":[…]}`, not normalised by Ollama's handler;
    /// the engine's pooled vector is returned as it is.
    func embeddings(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let body = try await WireMessages.decode(EmbeddingsRequest.self, from: &request, limit: models.settings.maxBodyBytes)
        guard let name = body.model, !name.isEmpty else { throw APIError.modelRequired }
        let stored = try models.storedModel(name, notFound: APIError.modelNotFoundTryPulling)
        let prompt = body.prompt ?? ""
        let lease = try await models.lease(stored, keepAlive: body.keepAlive)
        defer { lease.release() }
        guard !prompt.isEmpty else { return WireMessages.json(EmbeddingsResponse(embedding: [])) }
        var tokens = lease.model.tokenizer.encode(prompt, addSpecial: true, parseSpecial: false)
        tokens = Array(tokens.prefix(lease.model.contextLength))
        let vector = try await lease.model.session.engine.embedding(for: tokens)
        return WireMessages.json(EmbeddingsResponse(embedding: vector.map(Double.init)))
    }
}
