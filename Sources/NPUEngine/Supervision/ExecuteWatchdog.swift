import Foundation
import Synchronization

/// When the execute in flight on a card started, readable from any thread. The device thread
/// stamps it around every `axclrtEngineExecute`; the watchdog reads it.
final class ExecuteClock: Sendable {
    private let startedAt = Atomic<UInt64>(0)

    func begin() { startedAt.store(max(1, DispatchTime.now().uptimeNanoseconds), ordering: .relaxed) }
    func end() { startedAt.store(0, ordering: .relaxed) }

    /// Seconds the current execute has been running; nil when none is.
    var runningSeconds: Double? {
        let start = startedAt.load(ordering: .relaxed)
        guard start != 0 else { return nil }
        return Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
    }
}

/// One engine call that the watchdog may abandon. An abandoned call's caller has been answered
/// with an error: if the call runs after all, it must leave the cache as it found it, or the
/// engine and the session above would disagree about what is cached.
final class CallTicket: Sendable {
    private let abandoned = Atomic<Bool>(false)

    func abandon() { abandoned.store(true, ordering: .releasing) }
    var isAbandoned: Bool { abandoned.load(ordering: .acquiring) }
}

/// Guards engine calls against an execute that never returns (axera.md §7.9): a hung call cannot
/// be cancelled in-process, so the caller is answered when one execute has run longer than the
/// timeout, and the work itself is left to finish (or not) on the device thread.
enum ExecuteWatchdog {
    /// Runs `body`; if one call stamped on any of `clocks` (one per card the call uses) runs
    /// longer than `timeout` seconds, or the whole body longer than `deadline` seconds (for a
    /// step made of many calls that are not stamped one by one, such as loading a model), throws
    /// `stalled(limit)` instead, `limit` being the seconds exceeded. `lateReturn` runs if the
    /// abandoned body ever finishes.
    static func run<T: Sendable>(clocks: [ExecuteClock], timeout: Double, deadline: Double? = nil,
                                 stalled: @escaping @Sendable (_ limit: Double) -> any Error,
                                 lateReturn: @escaping @Sendable () -> Void,
                                 _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = Outcome<T>()
        let started = DispatchTime.now().uptimeNanoseconds
        return try await withCheckedThrowingContinuation { continuation in
            outcome.install(continuation)
            let timer = Task {
                // Polls a few times per timeout, at most twice a second.
                let tick = min(0.5, max(0.01, timeout / 4))
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(tick * 1e9))
                    if Task.isCancelled { return }
                    if let running = clocks.compactMap(\.runningSeconds).max(), running > timeout {
                        _ = outcome.resolve(.failure(stalled(timeout)))
                        return
                    }
                    let elapsed = Double(DispatchTime.now().uptimeNanoseconds &- started) / 1e9
                    if let deadline, elapsed > deadline {
                        _ = outcome.resolve(.failure(stalled(deadline)))
                        return
                    }
                }
            }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await body()) } catch { result = .failure(error) }
                timer.cancel()
                if !outcome.resolve(result) { lateReturn() }
            }
        }
    }

    /// The first of the body and the timer to finish answers the caller.
    private final class Outcome<T: Sendable>: Sendable {
        private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, resolved: Bool)>((nil, false))

        func install(_ continuation: CheckedContinuation<T, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        /// False when the other side already answered.
        func resolve(_ result: Result<T, any Error>) -> Bool {
            let continuation: CheckedContinuation<T, any Error>? = state.withLock { state in
                guard !state.resolved else { return nil }
                state.resolved = true
                let continuation = state.continuation
                state.continuation = nil
                return continuation
            }
            guard let continuation else { return false }
            continuation.resume(with: result)
            return true
        }
    }
}
