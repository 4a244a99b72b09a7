import Foundation
import OllamaAPI
import Runtime

/// The server's view of models: names resolved against the store, resident models leased from
/// the scheduler, generations started on a lease and the lease returned when they really end.
public final class ModelService: Sendable {
    public typealias SessionFactory = @Sendable (_ model: StoredModel, _ options: EngineLoadOptions) async throws -> ModelSession

    public let store: ModelStore
    public let settings: ServerSettings
    public let scheduler: ModelScheduler<LoadedModel>

    public init(store: ModelStore, settings: ServerSettings, makeSession: @escaping SessionFactory) {
        self.store = store
        self.settings = settings
        let contextLength = settings.defaultContextLength
        scheduler = ModelScheduler(configuration: settings.scheduler, load: { key in
            guard let name = ModelName(key) else { throw ModelStoreError.invalidName(key) }
            let stored = try store.storedModel(name)
            let session = try await makeSession(stored, EngineLoadOptions(contextLength: contextLength))
            return try await LoadedModel(stored: stored, session: session)
        }, unload: { _ in
            // Dropping the last reference to the session frees the engine and its cache.
        })
    }

    /// The store entry for a client's model name. `notFound` is thrown with the message the
    /// caller's endpoint uses.
    public func storedModel(_ text: String, notFound: (String) -> APIError = APIError.modelNotFound) throws -> StoredModel {
        // An empty name is a lookup that finds nothing, as in Ollama (routes_generate_test.go).
        if text.isEmpty { throw notFound(text) }
        guard let name = ModelName(text) else { throw APIError.invalidModelName }
        do {
            return try store.storedModel(name)
        } catch ModelStoreError.notFound {
            throw notFound(text)
        }
    }

    public func lease(_ model: StoredModel, keepAlive: KeepAlive?) async throws -> ModelLease<LoadedModel> {
        try await scheduler.acquire(model.name.fullName, keepAlive: keepAlive.map(KeepAliveDuration.init))
    }

    public func unload(_ model: StoredModel) async {
        await scheduler.unload(model.name.fullName)
    }

    /// Runs a generation on the leased model; the lease goes back to the scheduler once the
    /// generation loop has stopped, whether it finished, failed or was cancelled.
    public func generate(on lease: ModelLease<LoadedModel>, prompt: [TokenID], options: SamplingOptions,
                         constraint: OutputConstraint? = nil) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let run = lease.model.session.start(prompt: prompt, options: options, constraint: constraint)
        Task {
            await run.finished.value
            lease.release()
        }
        return run.events
    }

    /// Loads the preload list; a model that fails is reported and skipped.
    public func preload(report: @Sendable (String) -> Void) async {
        for name in settings.preload {
            guard let parsed = ModelName(name) else {
                report("preload: '\(name)' is not a valid model name")
                continue
            }
            do {
                try await scheduler.preload(parsed.fullName)
                report("preloaded \(parsed.displayShortest)")
            } catch {
                report("preload of \(name) failed: \(error)")
            }
        }
    }
}

import EngineInterface
public typealias TokenID = EngineInterface.TokenID
