import Runtime
import Synchronization
import Testing

/// Records loads and unloads of fake models.
private final class LoadLog: Sendable {
    private let events = Mutex<[String]>([])
    func append(_ event: String) { events.withLock { $0.append(event) } }
    var all: [String] { events.withLock { $0 } }
}

private func makeScheduler(_ configuration: SchedulerConfiguration = SchedulerConfiguration(), log: LoadLog,
                           loadDelay: UInt64 = 0, failing: Set<String> = []) -> ModelScheduler<String> {
    struct LoadFailure: Error {}
    return ModelScheduler(configuration: configuration, load: { key in
        if loadDelay > 0 { try await Task.sleep(nanoseconds: loadDelay) }
        if failing.contains(key) { throw LoadFailure() }
        log.append("load \(key)")
        return "model-\(key)"
    }, unload: { model in
        log.append("unload \(model)")
    })
}

/// Polls until `condition` holds or a second has passed.
private func eventually(_ condition: () async -> Bool) async -> Bool {
    for _ in 0 ..< 100 {
        if await condition() { return true }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
    return false
}

@Suite struct ModelSchedulerTests {
    @Test func loadsOnceAndReusesTheResidentModel() async throws {
        let log = LoadLog()
        let scheduler = makeScheduler(log: log)
        let first = try await scheduler.acquire("a")
        #expect(first.model == "model-a")
        #expect(first.loadedModel)
        first.release()
        #expect(await eventually { await scheduler.residents().first?.isBusy == false })
        let second = try await scheduler.acquire("a")
        #expect(!second.loadedModel)
        second.release()
        #expect(log.all == ["load a"])
    }

    @Test func oneRequestAtATimePerModel() async throws {
        let log = LoadLog()
        let scheduler = makeScheduler(log: log)
        let first = try await scheduler.acquire("a")
        let second = Task { try await scheduler.acquire("a") }
        try await Task.sleep(nanoseconds: 50_000_000)
        #expect(await scheduler.residents().first?.queued == 1)
        first.release()
        let lease = try await second.value
        #expect(lease.model == "model-a")
        lease.release()
    }

    @Test func fullQueueIsServerBusy() async throws {
        let log = LoadLog()
        let scheduler = makeScheduler(SchedulerConfiguration(maxQueue: 1), log: log)
        let first = try await scheduler.acquire("a")
        let waiting = Task { try await scheduler.acquire("a") }
        #expect(await eventually { await scheduler.residents().first?.queued == 1 })
        await #expect(throws: SchedulerError.serverBusy) { _ = try await scheduler.acquire("a") }
        #expect(SchedulerError.serverBusy.description == "server busy, please try again.  maximum pending requests exceeded")
        first.release()
        try await waiting.value.release()
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let log = LoadLog()
        let scheduler = makeScheduler(SchedulerConfiguration(maxQueue: 1), log: log)
        let first = try await scheduler.acquire("a")
        let waiting = Task { try await scheduler.acquire("a") }
        #expect(await eventually { await scheduler.residents().first?.queued == 1 })
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        #expect(await eventually { await scheduler.residents().first?.queued == 0 })
        first.release()
    }

    @Test func zeroKeepAliveUnloadsWhenTheRequestEnds() async throws {
        let log = LoadLog()
        let scheduler = makeScheduler(log: log)
        let lease = try await scheduler.acquire("a", keepAlive: .zero)
        #expect(await scheduler.isResident("a"))
        lease.release()
        #expect(await eventually { await !scheduler.isResident("a") })
        #expect(log.all == ["load a", "unload model-a"])
    }

    @Test func keepAliveExpiresIdleModels() async throws {
        let log = LoadLog()
        let scheduler = makeScheduler(log: log)
        let lease = try await scheduler.acquire("a", keepAlive: .nanoseconds(100_000_000))
        lease.release()
        #expect(await eventually { await scheduler.residents().first?.expiresAtUnixNanoseconds != nil })
        #expect(await scheduler.isResident("a"))
        #expect(await eventually { await !scheduler.isResident("a") })
    }

    @Test func foreverHasNoExpiry() async throws {
        let log = LoadLog()
        let scheduler = makeScheduler(log: log)
        try await scheduler.acquire("a", keepAlive: .forever).release()
        #expect(await eventually { await scheduler.residents().first?.isBusy == false })
        #expect(await scheduler.residents().first?.expiresAtUnixNanoseconds == nil)
    }

    @Test func fullResidencyEvictsTheIdleModelWithShortestKeepAlive() async throws {
        let log = LoadLog()
        let scheduler = makeScheduler(SchedulerConfiguration(maxLoadedModels: 2), log: log)
        try await scheduler.acquire("a", keepAlive: .forever).release()
        try await scheduler.acquire("b", keepAlive: .nanoseconds(60_000_000_000)).release()
        #expect(await eventually { await scheduler.residents().allSatisfy { !$0.isBusy } })
        try await scheduler.acquire("c").release()
        #expect(await eventually { await scheduler.residents().count == 2 })
        #expect(await scheduler.isResident("a"))
        #expect(await !scheduler.isResident("b"))
        #expect(log.all.contains("unload model-b"))
    }

    @Test func pinnedModelsAreNeverEvicted() async throws {
        let log = LoadLog()
        let scheduler = makeScheduler(SchedulerConfiguration(maxLoadedModels: 1, pinned: ["a"]), log: log)
        try await scheduler.preload("a")
        let other = Task { try await scheduler.acquire("b") }
        try await Task.sleep(nanoseconds: 100_000_000)
        #expect(await scheduler.isResident("a"))
        #expect(await !scheduler.isResident("b"))
        other.cancel()
        _ = try? await other.value
        #expect(await scheduler.residents().first?.isPinned == true)
    }

    @Test func explicitUnloadWaitsForTheRunningRequest() async throws {
        let log = LoadLog()
        let scheduler = makeScheduler(log: log)
        let lease = try await scheduler.acquire("a")
        await scheduler.unload("a")
        #expect(await scheduler.isResident("a"))
        lease.release()
        #expect(await eventually { await !scheduler.isResident("a") })
    }

    @Test func shutdownWaitsForABusyModelToUnloadOnceItsRequestEnds() async throws {
        let log = LoadLog()
        let scheduler = makeScheduler(log: log)
        let busy = try await scheduler.acquire("a")
        let idle = try await scheduler.acquire("b")
        idle.release()
        #expect(await eventually { await scheduler.residents().contains { $0.key == "b" && !$0.isBusy } })
        await scheduler.shutdown()
        #expect(await scheduler.waitUntilUnloaded(timeout: .milliseconds(50)) == false)
        #expect(!log.all.contains("unload model-a"))
        let waiting = Task { await scheduler.waitUntilUnloaded(timeout: .seconds(30)) }
        busy.release()
        #expect(await waiting.value)
        #expect(log.all.contains("unload model-a") && log.all.contains("unload model-b"))
    }

    @Test func loadFailureReachesEveryWaiter() async throws {
        let log = LoadLog()
        let scheduler = makeScheduler(log: log, loadDelay: 50_000_000, failing: ["bad"])
        let first = Task { try await scheduler.acquire("bad") }
        let second = Task { try await scheduler.acquire("bad") }
        await #expect(throws: (any Error).self) { _ = try await first.value }
        await #expect(throws: (any Error).self) { _ = try await second.value }
        #expect(await !scheduler.isResident("bad"))
    }

    @Test func leaseReportsTimeSpentWaiting() async throws {
        let log = LoadLog()
        let scheduler = makeScheduler(log: log, loadDelay: 30_000_000)
        let lease = try await scheduler.acquire("a")
        #expect(lease.waitNanoseconds >= 30_000_000)
        lease.release()
    }
}
