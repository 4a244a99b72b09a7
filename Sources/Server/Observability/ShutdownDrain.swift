import Synchronization

/// Generations in flight when a shutdown starts: they may finish within the grace period; when
/// it runs out, `stopAll` ends each with an error, so a streaming client still gets a final
/// line instead of a cut connection.
public final class ShutdownDrain: Sendable {
    public typealias Stop = @Sendable () -> Void

    private struct State {
        var nextID = 0
        var active: [Int: Stop] = [:]
        var stopped = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Registers a generation; returns the id to pass to `finish`. After `stopAll`, `stop` runs at once.
    public func begin(_ stop: @escaping Stop) -> Int {
        let (id, stopNow) = state.withLock { state -> (Int, Bool) in
            state.nextID += 1
            if state.stopped { return (state.nextID, true) }
            state.active[state.nextID] = stop
            return (state.nextID, false)
        }
        if stopNow { stop() }
        return id
    }

    public func finish(_ id: Int) {
        _ = state.withLock { $0.active.removeValue(forKey: id) }
    }

    public var activeCount: Int { state.withLock { $0.active.count } }

    /// Stops every generation in flight and any that starts later.
    public func stopAll() {
        let stops = state.withLock { state -> [Stop] in
            state.stopped = true
            defer { state.active.removeAll() }
            return Array(state.active.values)
        }
        for stop in stops { stop() }
    }
}
