import EngineInterface
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
    public let fallback: FallbackPolicy
    /// Receives one line per request answered by the fallback model, for the server's log.
    let report: @Sendable (String) -> Void
    /// Health, metrics and the shutdown drain of this server instance.
    public let observability: Observability
    /// Reads NPU model package directories for `create`, `show` and the capabilities; nil when
    /// the server runs no NPU engine.
    public let packageReader: (any ModelPackageReader)?

    public init(store: ModelStore, settings: ServerSettings, fallback: FallbackPolicy = FallbackPolicy(),
                packageReader: (any ModelPackageReader)? = nil,
                report: @escaping @Sendable (String) -> Void = { _ in }, observability: Observability? = nil,
                makeSession: @escaping SessionFactory) {
        self.store = store
        self.settings = settings
        self.fallback = fallback
        self.report = report
        let observability = observability ?? Observability(thresholds: settings.operations.thresholds)
        self.observability = observability
        self.packageReader = packageReader
        let contextLength = settings.defaultContextLength
        let metrics = observability.metrics
        let health = observability.health
        scheduler = ModelScheduler(configuration: settings.scheduler, load: { key in
            guard let name = ModelName(key) else { throw ModelStoreError.invalidName(key) }
            let start = MonotonicClock.nanoseconds()
            do {
                let stored = try store.storedModel(name)
                let session = try await makeSession(stored, EngineLoadOptions(contextLength: contextLength))
                let model = try await LoadedModel(stored: stored, session: session)
                metrics.modelLoaded(model: key, nanoseconds: MonotonicClock.nanoseconds() - start)
                health.recordLoad(model: key, failure: nil)
                return model
            } catch {
                metrics.modelLoadFailed(model: key)
                health.recordLoad(model: key, failure: "\(error)")
                throw error
            }
        }, unload: { model in
            // Dropping the last reference frees a host engine; a card's memory must be given back.
            if let engine = model.session.engine as? any DeviceResidentEngine { try? await engine.unload() }
            metrics.modelUnloaded(model: model.stored.name.fullName)
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

    /// The package summary of a model stored as an NPU package; nil for GGUF models, or when the
    /// directory cannot be read any more.
    public func packageSummary(_ model: StoredModel) -> ModelPackageSummary? {
        guard case let .npuPackage(directory) = model.weights else { return nil }
        return try? packageReader?.summary(of: directory)
    }

    /// A lease on `model`, or on the fallback model while `model`'s device is down (also when
    /// the model cannot even be loaded because of that). The engine that answers is noted for
    /// the `X-Axllama-Engine` header. The thermal guard and the drain have their say first: a
    /// card above the critical temperature or a server shutting down refuses with 503.
    public func lease(_ model: StoredModel, keepAlive: KeepAlive?) async throws -> ModelLease<LoadedModel> {
        try await admit()
        let key = model.name.fullName
        let lease: ModelLease<LoadedModel>
        do {
            lease = try await scheduler.acquire(key, keepAlive: keepAlive.map(KeepAliveDuration.init))
        } catch let error as SchedulerError {
            observability.metrics.rejected(reason: error == .serverBusy ? "busy" : "shutting_down")
            throw error
        } catch let error as EngineUnavailableError {
            // The model could not be loaded because its device is down (a load that wedged the
            // card fails every request queued behind it at once, the same way).
            let reason = "\(model.name.displayShortest) cannot be loaded now: \(error.reason)"
            guard let fallbackLease = try await leaseFallback(for: key, reason: reason) else {
                observability.metrics.rejected(reason: "device_unavailable")
                throw EngineUnavailableError(reason)
            }
            return fallbackLease
        }
        let engine = lease.model.session.engine
        // Decided from the engine's own health before any call reaches it: a wedged card's
        // thread is stuck in the hung call, and the request must not queue behind it.
        switch fallback.route(requested: key, health: await engine.health(), isFallback: isFallback, displayName: model.name.displayShortest) {
        case .requested:
            ServedEngine.note(engine.servedByName)
            return lease
        case let .fallback(_, reason):
            // Released first: with one model slot the fallback could otherwise never load.
            lease.release()
            if let fallbackLease = try await leaseFallback(for: key, reason: reason) { return fallbackLease }
            throw EngineUnavailableError(reason)
        case let .unavailable(reason):
            lease.release()
            observability.metrics.rejected(reason: "device_unavailable")
            throw EngineUnavailableError(reason)
        }
    }

    private func isFallback(_ key: String) -> Bool {
        guard let name = fallback.model.flatMap(ModelName.init) else { return false }
        return name.fullName == key
    }

    /// nil when no fallback is configured or the request is for the fallback itself.
    private func leaseFallback(for key: String, reason: String) async throws -> ModelLease<LoadedModel>? {
        guard let text = fallback.model, !isFallback(key) else { return nil }
        guard let name = ModelName(text) else { throw APIError(.internalServerError, "AXLLAMA_FALLBACK_MODEL '\(text)' is not a valid model name") }
        let lease = try await scheduler.acquire(name.fullName)
        ServedEngine.note("cpu-fallback")
        observability.metrics.cpuFallbackUsed(model: name.fullName)
        report("request for \(key) answered by fallback model \(name.displayShortest): \(reason)")
        return lease
    }

    /// Unloads `model` and forgets its last load error (deleting a model unloads it first).
    public func unload(_ model: StoredModel) async {
        observability.health.recordLoad(model: model.name.fullName, failure: nil)
        await scheduler.unload(model.name.fullName)
    }

    /// Runs a generation on the leased model; the lease goes back to the scheduler once the
    /// generation loop has stopped, whether it finished, failed or was cancelled.
    public func generate(on lease: ModelLease<LoadedModel>, prompt: [TokenID], options: SamplingOptions,
                         constraint: OutputConstraint? = nil) -> AsyncThrowingStream<GenerationEvent, any Error> {
        observedGeneration(on: lease, prompt: prompt, options: options, constraint: constraint)
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
