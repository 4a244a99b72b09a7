import AXCL
import EngineInterface
import Foundation

/// Watches one card and heals it: telemetry polled off the token path, device-level faults and
/// wedged calls reported by its engines, and the recovery ladder of axera.md §5 and §7.9 —
/// release the models, finalize and reset, reboot the card where the runtime can, wait for it
/// to re-enumerate, open it again and reload the resident models with their cached prefix —
/// retried with backoff, then `failed` with a message a person can act on.
public actor CardSupervisor {
    public nonisolated let health: CardHealth
    /// The same device object across recoveries: it keeps its thread, engines keep their reference.
    public nonisolated let device: AXCLDevice
    public nonisolated let settings: CardSupervisionSettings
    private nonisolated let report: @Sendable (String) -> Void
    private let reader: TelemetryReader
    private nonisolated let clock = ExecuteClock()
    private var engines: [WeakEngine] = []
    private var telemetry: Task<Void, Never>?
    private var recovery: Task<Void, Never>?
    /// Takes the models of this card once it has failed for good (the pool re-places them on
    /// its other cards); the task doing it, for whoever waits for the outcome.
    private var failureHandoff: (@Sendable (_ engines: [NPUEngine]) async -> Void)?
    private var handoff: Task<Void, Never>?

    private struct WeakEngine {
        weak var engine: NPUEngine?
    }

    init(device: AXCLDevice, settings: CardSupervisionSettings, report: @escaping @Sendable (String) -> Void) {
        self.device = device
        self.settings = settings
        self.report = report
        health = CardHealth(id: device.id)
        reader = TelemetryReader(runtime: device.runtime, id: device.id)
    }

    /// Opens the card (nil: the first listed) and starts its telemetry.
    /// - Parameter report: receives one line per state change, for the server's log.
    public static func open(library: AXCLLibrary, deviceID: DeviceID? = nil, settings: CardSupervisionSettings = CardSupervisionSettings(),
                            report: @escaping @Sendable (String) -> Void = { _ in }) async throws -> CardSupervisor {
        let device = try await NPUCard.open(library: library, deviceID: deviceID)
        let supervisor = CardSupervisor(device: device, settings: settings, report: report)
        await supervisor.startTelemetry()
        return supervisor
    }

    public nonisolated var status: DeviceStatus { health.snapshot }

    /// The status with the models that wait on the card while it is down: those it still holds
    /// (a wedged or recovering card) and those of a failed card that nothing took over. Models
    /// being moved off a failed card count as taken over; the move ends within the engine
    /// timeout either way.
    func statusWithBlockedModels() -> DeviceStatus {
        var current = health.snapshot
        guard !health.acceptsWork else { return current }
        for name in residentEngines.map(\.package.manifest.modelName) where !current.blockedModels.contains(name) {
            current.blockedModels.append(name)
        }
        return current
    }

    /// Loads a package onto this card as a supervised engine.
    public func loadEngine(_ package: NPUModelPackage, options: NPUEngineOptions = NPUEngineOptions()) async throws -> NPUEngine {
        try health.admit()
        let card = engineCard(for: LayerShare(device: device, layers: package.layerFiles.indices))
        let engine = try await NPUEngine.load(package, cards: [card], options: options)
        adopt(engine)
        return engine
    }

    /// The card's free CMM, read on its thread under the watchdog; nil when the query fails or
    /// the card's thread is stuck (a hung call: the load that follows finds it and names it).
    nonisolated func freeCMMKiB() async -> Int? {
        let clock = self.clock, device = self.device
        return try? await ExecuteWatchdog.run(
            clocks: [clock], timeout: settings.engineTimeout,
            stalled: { stall in EngineUnavailableError("the CMM query did not return within \(NPUEngine.seconds(stall.seconds))") },
            lateReturn: {}) { try await Self.readFreeCMM(stampedOn: clock, on: device) }
    }

    private static func readFreeCMM(stampedOn clock: ExecuteClock, on device: isolated AXCLDevice) throws -> Int {
        clock.begin("axclrtGetDeviceProperties (free CMM before placing a model)")
        defer { clock.end() }
        return Int(try device.properties().cmmFreeKiB)
    }

    /// This card as one of an engine's cards: its faults and hangs come back here.
    nonisolated func engineCard(for share: LayerShare) -> EngineCard {
        let supervision = EngineSupervision(
            engineTimeout: settings.engineTimeout,
            clock: clock,
            deviceFault: { [weak self] error in Task { await self?.startRecovery(reason: "\(error)") } },
            wedged: { [weak self] detail in self?.report("\(self?.health.snapshot.name ?? "card") wedged: \(detail)") },
            lateReturn: { [weak self] in Task { await self?.startRecovery(reason: "a hung engine call returned") } })
        return EngineCard(share: share, health: health, supervision: supervision)
    }

    /// Puts an engine holding layers on this card under the recovery ladder: a model split
    /// across cards is adopted by each of them.
    func adopt(_ engine: NPUEngine) {
        engines.removeAll { $0.engine == nil || $0.engine === engine }
        engines.append(WeakEngine(engine: engine))
    }

    /// The engine no longer holds layers here (it was moved to other cards).
    func disown(_ engine: NPUEngine) {
        engines.removeAll { $0.engine == nil || $0.engine === engine }
    }

    /// The models this card holds, other than those already released for good.
    var residentEngines: [NPUEngine] { engines.compactMap(\.engine) }

    /// Who takes this card's models when it is declared failed.
    func handOverModelsOnFailure(to handler: @escaping @Sendable (_ engines: [NPUEngine]) async -> Void) {
        failureHandoff = handler
    }

    /// Waits until the models of a failed card have been handed over and re-placed (or found
    /// no place), for tests and orderly shutdown.
    public func waitForHandoff() async {
        await waitForRecovery()
        await handoff?.value
    }

    /// Stops polling; engines stay loaded.
    public func stop() {
        telemetry?.cancel()
        telemetry = nil
    }

    deinit { telemetry?.cancel() }

    /// Waits until the card is no longer recovering: a fault reported a moment ago may not
    /// have started the ladder yet (for tests and orderly shutdown).
    public func waitForRecovery() async {
        while true {
            if let recovery {
                await recovery.value
            } else if health.state == .recovering {
                try? await Task.sleep(nanoseconds: 10_000_000)
            } else {
                return
            }
        }
    }

    // MARK: Telemetry

    private func startTelemetry() {
        telemetry?.cancel()
        let interval = settings.telemetryInterval
        telemetry = Task { [weak self] in
            while !Task.isCancelled {
                await self?.pollOnce()
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            }
        }
    }

    /// One property read, skipped while the card cannot answer. A card that vanished while
    /// idle is found here rather than by the next visitor's request.
    public func pollOnce() async {
        guard health.acceptsWork else { return }
        do {
            health.update(with: try await reader.read())
        } catch {
            health.recordFault(error.kind.rawValue)
            guard error.kind.marksDeviceUnhealthy,
                  health.transition(to: .recovering, detail: "\(error); recovering the card", from: [.ready, .degraded])
            else { return }
            startRecovery(reason: "telemetry: \(error)")
        }
    }

    // MARK: Recovery

    /// Starts the ladder unless it is already running. Engines put the card in `recovering`
    /// themselves before they call this, so no further request reaches the device.
    func startRecovery(reason: String) {
        guard recovery == nil else { return }
        health.transition(to: .recovering, detail: "\(reason); recovering the card", from: [.ready, .degraded, .wedged])
        guard settings.recoveryAttempts > 0 else {
            fail(reason: reason, attempts: 0)
            return
        }
        report("\(health.snapshot.name): \(reason); starting recovery")
        recovery = Task { [weak self] in
            await self?.runLadder(reason: reason)
            await self?.finishRecovery()
        }
    }

    private func finishRecovery() { recovery = nil }

    private func runLadder(reason: String) async {
        let attempts = settings.recoveryAttempts
        var lastError: any Error = RecoveryError.notAttempted
        for attempt in 1 ... attempts {
            health.set(.recovering, detail: "\(reason); recovery attempt \(attempt) of \(attempts)")
            do {
                try await climb()
                health.recordRecovery()
                report("\(health.snapshot.name) recovered (attempt \(attempt) of \(attempts))")
                return
            } catch let RecoveryError.hung(step, limit) {
                // The card's thread is stuck in that call: any further step would queue behind it.
                wedge(step: step, limit: limit)
                return
            } catch {
                lastError = error
                report("\(health.snapshot.name): recovery attempt \(attempt) of \(attempts) failed: \(error)")
                if attempt < attempts {
                    try? await Task.sleep(nanoseconds: UInt64(settings.backoff * pow(2, Double(attempt - 1)) * 1e9))
                }
            }
        }
        fail(reason: "\(reason); last recovery error: \(lastError)", attempts: attempts)
    }

    private func fail(reason: String, attempts: Int) {
        let name = health.snapshot.name
        let detail = "\(reason). Recovery gave up after \(attempts) attempt(s). Check the card with axcl-smi; "
            + "reload the driver (modprobe -r axcl_host ax_pcie_mmb ax_pcie_msg ax_pcie_host_dev, then modprobe them again) "
            + "or power-cycle the card, then restart axllama"
        health.set(.failed, detail: detail)
        report("\(name) failed: \(detail)")
        let orphans = residentEngines
        guard let failureHandoff, !orphans.isEmpty else { return }
        engines = []
        handoff = Task { await failureHandoff(orphans) }
    }

    /// One pass of the ladder. Every AXCL call runs on the card's thread, each step under the
    /// same watchdog as the engines' calls: the runtime calls of a recovery can hang like an
    /// execute (axera.md §5: a card killed mid-load stays wedged). Waits happen here.
    private func climb() async throws {
        let live = engines.compactMap(\.engine)
        let device = self.device
        for engine in live {
            try await step("releasing \(engine.package.manifest.modelName)") { await engine.releaseForRecovery() }
        }
        try await step("axclrtEngineFinalize and axclrtResetDevice") { await device.shutDownForRecovery() }
        let rebooted = try await step("axclrtRebootDevice") { await device.rebootIfSupported() }
        if rebooted { report("\(health.snapshot.name): rebooted the card (axclrtRebootDevice)") }
        try await waitForEnumeration()
        try await step("axclrtSetDevice") { try await device.reopen() }
        try await step("axclrtEngineInit") { try await NPUCard.initializeEngine(on: device) }
        for engine in live {
            // The reload stamps each of its runtime calls (a file's load, the IO setup, the CMM
            // checks, the executes that compute the cached prefix again), each watched on its own;
            // the deadline only bounds what is not stamped (releasing the stale handles).
            try await step("reloading \(engine.package.manifest.modelName)", stamped: false,
                           deadline: NPUEngine.loadDeadline(engine.package, timeout: settings.engineTimeout)) {
                try await engine.reloadAfterRecovery(of: device.id)
            }
        }
    }

    /// Runs one step of the ladder on the card's thread under the watchdog. A stamped step counts
    /// as one runtime call for the engine timeout; `deadline` bounds a step of many calls.
    private func step<T: Sendable>(_ name: String, stamped: Bool = true, deadline: Double? = nil,
                                   _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let clock = self.clock
        return try await ExecuteWatchdog.run(
            clocks: [clock], timeout: settings.engineTimeout, deadline: deadline,
            stalled: { stall in RecoveryError.hung(step: stall.call.map { "\(name) (the call \($0))" } ?? name, seconds: stall.seconds) },
            lateReturn: { [weak self] in Task { await self?.hungStepReturned(name) } }) {
            if stamped { clock.begin() }
            defer { if stamped { clock.end() } }
            return try await body()
        }
    }

    /// A recovery step never returned: the card is wedged, with the same advice as a hung execute.
    private func wedge(step: String, limit: Double) {
        let detail = "the recovery step \(step) did not return within \(NPUEngine.seconds(limit)); the card is wedged. "
            + "It is recovered again if the call ever returns; otherwise restart axllama, and if that does not help, "
            + "reboot the card (axcl-smi reboot) or power-cycle it"
        health.recordFault("timeout")
        health.set(.wedged, detail: detail)
        report("\(health.snapshot.name) wedged: \(detail)")
    }

    /// The hung step came back after all: the card's thread is free again, so the ladder starts over.
    private func hungStepReturned(_ step: String) {
        guard health.state == .wedged else { return }
        startRecovery(reason: "the hung recovery step \(step) returned")
    }

    /// Polls the device list until the card is back, bounded by `enumerationTimeout`
    /// (after a boot or a reboot the list can stay empty for a while, axera.md §5). Each poll
    /// runs on the card's thread: a runtime call that hangs must not hold one of the few
    /// cooperative threads.
    private func waitForEnumeration() async throws {
        let deadline = Date().addingTimeInterval(settings.enumerationTimeout)
        let device = self.device
        while true {
            if try await step("axclrtGetDeviceList", { await device.isListed() }) { return }
            guard Date() < deadline else { throw RecoveryError.notEnumerated(device.id, seconds: settings.enumerationTimeout) }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
    }
}

/// Why one pass of the recovery ladder stopped.
public enum RecoveryError: Error, Sendable, CustomStringConvertible {
    case notAttempted
    case notEnumerated(DeviceID, seconds: Double)
    /// A step's runtime call did not return within the watchdog's limit.
    case hung(step: String, seconds: Double)

    public var description: String {
        switch self {
        case .notAttempted: return "recovery was not attempted"
        case let .notEnumerated(id, seconds):
            return "device \(id.rawValue) did not reappear in the runtime's device list within \(Int(seconds)) s"
        case let .hung(step, seconds):
            return "the recovery step \(step) did not return within \(NPUEngine.seconds(seconds))"
        }
    }
}

extension AXCLDevice {
    /// The teardown steps of the ladder, each best effort: a lost card fails them all.
    func shutDownForRecovery() {
        _ = try? finalizeEngine()
        closeIgnoringErrors()
    }

    /// `axclrtRebootDevice` when the runtime exports it (axera.md §1.4); false otherwise or when it fails.
    func rebootIfSupported() -> Bool {
        (try? runtime.reboot(id)) ?? false
    }

    /// Whether the card is in the runtime's device list again.
    func isListed() -> Bool {
        (try? runtime.devices())?.contains(id) == true
    }
}
