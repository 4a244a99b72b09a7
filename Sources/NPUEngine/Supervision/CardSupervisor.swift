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

    /// Loads a package onto this card as a supervised engine.
    public func loadEngine(_ package: NPUModelPackage, options: NPUEngineOptions = NPUEngineOptions()) async throws -> NPUEngine {
        try health.admit()
        let card = engineCard(for: LayerShare(device: device, layers: package.layerFiles.indices))
        let engine = try await NPUEngine.load(package, cards: [card], options: options)
        adopt(engine)
        return engine
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
        engines.removeAll { $0.engine == nil }
        engines.append(WeakEngine(engine: engine))
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
    }

    /// One pass of the ladder. Every AXCL call runs on the card's thread; waits happen here.
    private func climb() async throws {
        let live = engines.compactMap(\.engine)
        for engine in live { await engine.releaseForRecovery() }
        await device.shutDownForRecovery()
        let rebooted = await device.rebootIfSupported()
        if rebooted { report("\(health.snapshot.name): rebooted the card (axclrtRebootDevice)") }
        try await waitForEnumeration()
        try await device.reopen()
        try await NPUCard.initializeEngine(on: device)
        for engine in live { try await engine.reloadAfterRecovery(of: device.id) }
    }

    /// Polls the device list until the card is back, bounded by `enumerationTimeout`
    /// (after a boot or a reboot the list can stay empty for a while, axera.md §5).
    private func waitForEnumeration() async throws {
        let deadline = Date().addingTimeInterval(settings.enumerationTimeout)
        while true {
            if (try? device.runtime.devices())?.contains(device.id) == true { return }
            guard Date() < deadline else { throw RecoveryError.notEnumerated(device.id, seconds: settings.enumerationTimeout) }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
    }
}

/// Why one pass of the recovery ladder stopped.
public enum RecoveryError: Error, Sendable, CustomStringConvertible {
    case notAttempted
    case notEnumerated(DeviceID, seconds: Double)

    public var description: String {
        switch self {
        case .notAttempted: return "recovery was not attempted"
        case let .notEnumerated(id, seconds):
            return "device \(id.rawValue) did not reappear in the runtime's device list within \(Int(seconds)) s"
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
}
