#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides which models are resident and who runs on them: one request at a time per model, a
/// bounded FIFO queue per model, keep-alive expiry, eviction of the idle model with the shortest
/// keep-alive when `maxLoadedModels` is reached, and pinned models that are never evicted.
/// Generic over what a loaded model is, so that it is tested without engines.
public actor ModelScheduler<Model: Sendable> {
    public typealias Loader = @Sendable (_ key: String) async throws -> Model
    public typealias Unloader = @Sendable (_ model: Model) async -> Void

    private final class Slot {
        /// Tells a replaced slot apart from the current one when a late timer or load finishes.
        let id: UInt64
        var model: Model?
        var isLoading = false
        var isBusy = false
        var waiters: [Waiter] = []
        var keepAlive: KeepAliveDuration
        var expiresAt: Int64?
        var expiryTimer: Task<Void, Never>?
        /// Set by an explicit unload while busy: unload as soon as the request ends.
        var unloadWhenIdle = false

        init(id: UInt64, keepAlive: KeepAliveDuration) {
            self.id = id
            self.keepAlive = keepAlive
        }
    }

    private struct Waiter {
        let id: UInt64
        let enqueuedAt: UInt64
        let continuation: CheckedContinuation<ModelLease<Model>, any Error>
    }

    public let configuration: SchedulerConfiguration
    private let load: Loader
    private let unload: Unloader
    private var slots: [String: Slot] = [:]
    private var nextWaiterID: UInt64 = 0
    private var nextSlotID: UInt64 = 0
    private var isShuttingDown = false
    /// Unloads started and not yet finished (a model leaves its slot before its unload ends).
    private var unloadsInFlight = 0

    public init(configuration: SchedulerConfiguration, load: @escaping Loader, unload: @escaping Unloader) {
        self.configuration = configuration
        self.load = load
        self.unload = unload
    }

    // MARK: Requests

    /// Waits for exclusive use of `key`'s model, loading it first if needed. Throws
    /// `SchedulerError.serverBusy` when the model's queue is full, `CancellationError` when the
    /// caller is cancelled while waiting, or the loader's error.
    public func acquire(_ key: String, keepAlive: KeepAliveDuration? = nil) async throws -> ModelLease<Model> {
        if isShuttingDown { throw SchedulerError.shuttingDown }
        try Task.checkCancellation()
        let start = MonotonicClock.nanoseconds()
        let slot = slotFor(key)
        if let keepAlive { slot.keepAlive = keepAlive }
        slot.unloadWhenIdle = false
        if let model = slot.model, !slot.isBusy, slot.waiters.isEmpty {
            return grant(key, slot: slot, model: model, enqueuedAt: start, loaded: false)
        }
        guard slot.waiters.count < configuration.maxQueue else { throw SchedulerError.serverBusy }
        nextWaiterID += 1
        let id = nextWaiterID
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                slot.waiters.append(Waiter(id: id, enqueuedAt: start, continuation: continuation))
                if slot.model == nil && !slot.isLoading { startLoading(key, slot: slot) }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id, key: key) }
        }
    }

    /// Unloads `key` now if it is idle, or as soon as its current request ends. Does nothing for
    /// a model that is not resident.
    public func unload(_ key: String) async {
        guard let slot = slots[key] else { return }
        if slot.model != nil && !slot.isBusy && slot.waiters.isEmpty {
            await evict(key, slot: slot)
        } else {
            slot.unloadWhenIdle = true
        }
    }

    /// Loads `key` and keeps it resident (for ever when pinned), as a preload list does at boot.
    public func preload(_ key: String) async throws {
        let keepAlive: KeepAliveDuration = configuration.pinned.contains(key) ? .forever : configuration.defaultKeepAlive
        let lease = try await acquire(key, keepAlive: keepAlive)
        lease.release()
    }

    /// The resident models, latest expiry first (as `/api/ps` sorts them).
    public func residents() -> [ResidentModel<Model>] {
        let now = Self.wallClockNanoseconds()
        return slots.compactMap { key, slot -> ResidentModel<Model>? in
            guard let model = slot.model else { return nil }
            let pinned = configuration.pinned.contains(key)
            var expires: Int64?
            if !pinned, case let .nanoseconds(duration) = slot.keepAlive {
                expires = slot.isBusy || slot.expiresAt == nil ? now &+ duration : slot.expiresAt
            }
            return ResidentModel(key: key, model: model, expiresAtUnixNanoseconds: expires, isBusy: slot.isBusy,
                                 queued: slot.waiters.count, isPinned: pinned)
        }.sorted { ($0.expiresAtUnixNanoseconds ?? .max) > ($1.expiresAtUnixNanoseconds ?? .max) }
    }

    public func isResident(_ key: String) -> Bool { slots[key]?.model != nil }

    /// Models being loaded now, with the requests waiting for each (for health reports).
    public func loading() -> [(key: String, queued: Int)] {
        slots.filter { $0.value.isLoading }.map { ($0.key, $0.value.waiters.count) }.sorted { $0.key < $1.key }
    }

    /// Refuses new requests, fails the waiting ones and unloads every idle model; busy models
    /// are unloaded when their request ends.
    public func shutdown() async {
        isShuttingDown = true
        for (key, slot) in slots {
            let waiters = slot.waiters
            slot.waiters.removeAll()
            for waiter in waiters { waiter.continuation.resume(throwing: SchedulerError.shuttingDown) }
            if slot.isBusy { slot.unloadWhenIdle = true } else { await evict(key, slot: slot) }
        }
    }

    /// After `shutdown()`: waits until every model is unloaded, busy ones once their request has
    /// ended, for at most `timeout` (a request stuck in a hung engine call never ends). Returns
    /// whether all were.
    public func waitUntilUnloaded(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while unloadsInFlight > 0 || slots.values.contains(where: { $0.model != nil || $0.isLoading }) {
            guard clock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    // MARK: Internals

    private func slotFor(_ key: String) -> Slot {
        if let slot = slots[key] { return slot }
        nextSlotID += 1
        let slot = Slot(id: nextSlotID, keepAlive: configuration.defaultKeepAlive)
        slots[key] = slot
        return slot
    }

    private func grant(_ key: String, slot: Slot, model: Model, enqueuedAt: UInt64, loaded: Bool) -> ModelLease<Model> {
        slot.isBusy = true
        slot.expiryTimer?.cancel()
        slot.expiryTimer = nil
        slot.expiresAt = nil
        let wait = MonotonicClock.nanoseconds() - enqueuedAt
        return ModelLease(key: key, model: model, waitNanoseconds: wait, loadedModel: loaded) { [weak self] in
            guard let self else { return }
            Task { await self.release(key) }
        }
    }

    private func release(_ key: String) async {
        guard let slot = slots[key], let model = slot.model else { return }
        slot.isBusy = false
        if let next = slot.waiters.first {
            slot.waiters.removeFirst()
            next.continuation.resume(returning: grant(key, slot: slot, model: model, enqueuedAt: next.enqueuedAt, loaded: false))
            return
        }
        if isShuttingDown || slot.unloadWhenIdle || (slot.keepAlive == .zero && !configuration.pinned.contains(key)) {
            await evict(key, slot: slot)
            return
        }
        scheduleExpiry(key, slot: slot)
        await admitWaitingLoads()
    }

    private func scheduleExpiry(_ key: String, slot: Slot) {
        guard !configuration.pinned.contains(key), case let .nanoseconds(duration) = slot.keepAlive else { return }
        slot.expiresAt = Self.wallClockNanoseconds() &+ duration
        slot.expiryTimer?.cancel()
        let slotID = slot.id
        slot.expiryTimer = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(max(0, duration)))
            guard !Task.isCancelled else { return }
            await self?.expire(key, slotID: slotID)
        }
    }

    private func expire(_ key: String, slotID: UInt64) async {
        guard let slot = slots[key], slot.id == slotID, !slot.isBusy, slot.waiters.isEmpty, slot.model != nil else { return }
        await evict(key, slot: slot)
    }

    private func evict(_ key: String, slot: Slot) async {
        slot.expiryTimer?.cancel()
        slot.expiryTimer = nil
        let model = slot.model
        slot.model = nil
        slot.unloadWhenIdle = false
        if slot.waiters.isEmpty && !slot.isLoading { slots[key] = nil }
        if let model {
            unloadsInFlight += 1
            await unload(model)
            unloadsInFlight -= 1
        }
        await admitWaitingLoads()
    }

    private var occupiedCount: Int { slots.values.filter { $0.model != nil || $0.isLoading }.count }

    /// Starts the load when there is room, evicting the idle model with the shortest keep-alive
    /// if needed; otherwise the load waits until a model is released or unloaded.
    private func startLoading(_ key: String, slot: Slot) {
        if occupiedCount >= configuration.maxLoadedModels {
            guard let (victimKey, victim) = evictionCandidate() else { return }
            let victimModel = victim.model
            victim.expiryTimer?.cancel()
            victim.model = nil
            if victim.waiters.isEmpty { slots[victimKey] = nil }
            slot.isLoading = true
            let slotID = slot.id
            let unload = self.unload
            Task {
                if let victimModel { await unload(victimModel) }
                await self.performLoad(key, slotID: slotID)
            }
            return
        }
        slot.isLoading = true
        let slotID = slot.id
        Task { await self.performLoad(key, slotID: slotID) }
    }

    private func evictionCandidate() -> (String, Slot)? {
        slots.filter { key, slot in
            slot.model != nil && !slot.isBusy && slot.waiters.isEmpty && !configuration.pinned.contains(key)
        }.min { $0.value.keepAlive < $1.value.keepAlive }.map { ($0.key, $0.value) }
    }

    private func admitWaitingLoads() async {
        for (key, slot) in slots where slot.model == nil && !slot.isLoading && !slot.waiters.isEmpty {
            guard occupiedCount < configuration.maxLoadedModels || evictionCandidate() != nil else { return }
            startLoading(key, slot: slot)
        }
    }

    private func performLoad(_ key: String, slotID: UInt64) async {
        guard let slot = slots[key], slot.id == slotID else { return }
        do {
            let model = try await load(key)
            slot.isLoading = false
            guard slots[key] === slot, !isShuttingDown else {
                await unload(model)
                return
            }
            slot.model = model
            if let next = slot.waiters.first {
                slot.waiters.removeFirst()
                next.continuation.resume(returning: grant(key, slot: slot, model: model, enqueuedAt: next.enqueuedAt, loaded: true))
            } else {
                scheduleExpiry(key, slot: slot)
            }
        } catch {
            slot.isLoading = false
            let waiters = slot.waiters
            slot.waiters.removeAll()
            if slots[key] === slot { slots[key] = nil }
            for waiter in waiters { waiter.continuation.resume(throwing: error) }
            await admitWaitingLoads()
        }
    }

    private func cancelWaiter(_ id: UInt64, key: String) async {
        guard let slot = slots[key], let index = slot.waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = slot.waiters.remove(at: index)
        waiter.continuation.resume(throwing: CancellationError())
        if slot.model == nil && !slot.isLoading && slot.waiters.isEmpty { slots[key] = nil }
    }

    static func wallClockNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
