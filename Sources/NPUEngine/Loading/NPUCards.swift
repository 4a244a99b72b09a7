import AXCL
import Foundation

/// The NPU cards of this process, opened on first use: the runtime library once, and the
/// configured cards under their supervisors (`NPUCardPool`), shared by every package model.
/// Everything in the server that needs a card asks here.
public actor NPUCards {
    private let environment: [String: String]
    private let report: @Sendable (String) -> Void
    private var opening: Task<NPUCardPool, any Error>?

    /// `environment` decides the library search (`AXLLAMA_AXCL_LIBRARY`, see `AXCLLibrary.load`)
    /// and the supervision settings (`AXLLAMA_DEVICES`, …); `report` gets the cards' state changes.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                report: @escaping @Sendable (String) -> Void = { _ in }) {
        self.environment = environment
        self.report = report
    }

    /// The opened cards. A failed opening is not kept: the next request tries again, so
    /// installing the runtime or seating the card needs no restart.
    public func pool() async throws -> NPUCardPool {
        if let opening { return try await opening.value }
        let environment = environment, report = report
        let task = Task {
            let settings = try CardSupervisionSettings.fromEnvironment(environment)
            let library = try AXCLLibrary.load(environment: environment)
            return try await NPUCardPool.open(library: library, settings: settings, report: report)
        }
        opening = task
        do {
            return try await task.value
        } catch {
            opening = nil
            throw error
        }
    }

    /// The cards if they are open already; never opens them (health polls must not load the runtime).
    public func openedPool() async -> NPUCardPool? {
        guard let opening else { return nil }
        return try? await opening.value
    }

    /// Gives the cards back at shutdown, once their models are unloaded: each card's engine is
    /// finalized and its device reset, then the runtime is finalized (the teardown of axera.md
    /// §1.8), so that the driver holds nothing of this process. Bounded by `timeout`: a card
    /// whose thread is stuck in a call that never returns cannot be released, and the process
    /// must still exit. Returns one line per problem (empty when everything was released); the
    /// cards are not reopened afterwards.
    public func release(timeout: Duration) async -> [String] {
        guard let opening else { return [] }
        self.opening = Task { throw NPUEngineError.deviceUnavailable("the server is shutting down") }
        guard let pool = try? await opening.value else { return [] }
        return await pool.release(timeout: timeout)
    }

    /// Engine options with the configured prefix cache directory.
    public func engineOptions(_ base: NPUEngineOptions) throws -> NPUEngineOptions {
        try CardSupervisionSettings.fromEnvironment(environment).engineOptions(base)
    }
}
