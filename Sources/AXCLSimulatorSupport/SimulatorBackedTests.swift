import Testing

/// The simulator's state is process-wide, and every test target runs in the same process: tests
/// that drive it, in whichever target, take this trait (on their suite) and run one at a time.
public struct ExclusiveSimulatorAccess: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void)
        async throws
    {
        guard testCase != nil else { return try await function() }
        await SimulatorTurn.shared.acquire()
        do {
            try await function()
        } catch {
            await SimulatorTurn.shared.release()
            throw error
        }
        await SimulatorTurn.shared.release()
    }
}

extension Trait where Self == ExclusiveSimulatorAccess {
    /// One simulator-driving test at a time across every test target.
    public static var exclusiveSimulator: Self { ExclusiveSimulatorAccess() }
}

/// A first-come first-served turn.
actor SimulatorTurn {
    static let shared = SimulatorTurn()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
