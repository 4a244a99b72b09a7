import Foundation
import Synchronization

/// When the runtime call in flight on a card started, and which call it is, readable from any
/// thread. The device thread stamps it around every `axclrtEngineExecute` and every step of a
/// load; the watchdog reads it.
final class ExecuteClock: Sendable {
    private let startedAt = Atomic<UInt64>(0)
    /// Nanoseconds the call in flight may run beyond the engine timeout (a large file's load).
    private let graceNanoseconds = Atomic<UInt64>(0)
    /// Whether `callName` names the call in flight; an execute leaves it unnamed.
    private let isNamed = Atomic<Bool>(false)
    private let callName = Mutex<String>("")

    /// An engine execute begins (the hot path: no lock, no string).
    func begin() {
        isNamed.store(false, ordering: .relaxed)
        graceNanoseconds.store(0, ordering: .relaxed)
        startedAt.store(max(1, DispatchTime.now().uptimeNanoseconds), ordering: .relaxed)
    }

    /// The named runtime call `call` begins; it may run `grace` seconds longer than an execute.
    /// Ends the call stamped before, so that the steps of a load can be stamped one after another.
    func begin(_ call: String, grace: Double = 0) {
        callName.withLock { $0 = call }
        isNamed.store(true, ordering: .relaxed)
        graceNanoseconds.store(UInt64(max(0, grace) * 1e9), ordering: .relaxed)
        startedAt.store(max(1, DispatchTime.now().uptimeNanoseconds), ordering: .relaxed)
    }

    func end() { startedAt.store(0, ordering: .relaxed) }

    /// Seconds the current call has been running; nil when none is.
    var runningSeconds: Double? {
        let start = startedAt.load(ordering: .relaxed)
        guard start != 0 else { return nil }
        return Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
    }

    /// The call in flight when it has run longer than `timeout` plus its grace: the seconds it
    /// was allowed and its name (nil for an execute).
    func overdueCall(timeout: Double) -> (allowed: Double, name: String?)? {
        guard let running = runningSeconds else { return nil }
        let allowed = timeout + Double(graceNanoseconds.load(ordering: .relaxed)) / 1e9
        guard running > allowed else { return nil }
        return (allowed, isNamed.load(ordering: .relaxed) ? callName.withLock { $0 } : nil)
    }
}

/// Why the watchdog answered a caller: a call on one of its cards overran, or the body as a whole.
struct Stall: Sendable {
    /// The seconds the call (or the body) was allowed.
    let seconds: Double
    /// The index in `clocks` of the card whose call overran; nil when the body's deadline passed.
    let card: Int?
    /// The runtime call that overran, when it was stamped with a name (a step of a load).
    let call: String?
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
    /// longer than `timeout` seconds (plus the grace it was stamped with), or the whole body
    /// longer than `deadline` seconds (a backstop for a step with calls that are not stamped),
    /// throws `stalled(stall)` instead. `lateReturn` runs if the abandoned body ever finishes.
    static func run<T: Sendable>(clocks: [ExecuteClock], timeout: Double, deadline: Double? = nil,
                                 stalled: @escaping @Sendable (Stall) -> any Error,
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
                    for (index, clock) in clocks.enumerated() {
                        if let overdue = clock.overdueCall(timeout: timeout) {
                            _ = outcome.resolve(.failure(stalled(Stall(seconds: overdue.allowed, card: index, call: overdue.name))))
                            return
                        }
                    }
                    let elapsed = Double(DispatchTime.now().uptimeNanoseconds &- started) / 1e9
                    if let deadline, elapsed > deadline {
                        _ = outcome.resolve(.failure(stalled(Stall(seconds: deadline, card: nil, call: nil))))
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
