import AXCL
import EngineInterface
import Foundation

/// The cards the server uses (AXLLAMA_DEVICES, default the first listed), each under its own
/// supervisor, and the placement of models on them: a model on the first card that takes work and
/// has the CMM for it, or split across several cards when none has; a model whose card fails for
/// good is placed again on the others. It is also the device monitor that health and metrics read.
public final class NPUCardPool: DeviceMonitor, Sendable {
    public let cards: [CardSupervisor]
    /// Configured cards that did not open (missing from the device list, or refusing to open):
    /// shown as failed, with the reason, and never given a model.
    public let unopened: [DeviceStatus]
    private let report: @Sendable (String) -> Void

    /// - Parameter report: receives a line when a model is split across cards, for the server's log.
    public init(cards: [CardSupervisor], unopened: [DeviceStatus] = [], report: @escaping @Sendable (String) -> Void = { _ in }) {
        self.cards = cards
        self.unopened = unopened
        self.report = report
    }

    /// Opens every configured card. A card that does not open is reported, shown as failed and
    /// left out, and the others serve; no card at all is an error.
    public static func open(library: AXCLLibrary, settings: CardSupervisionSettings,
                            report: @escaping @Sendable (String) -> Void = { _ in }) async throws -> NPUCardPool {
        let runtime = try AXCLRuntime(library: library)
        let listed = try await waitForCards(runtime, settings: settings, report: report)
        let wanted = settings.deviceIDs.isEmpty ? Array(listed.prefix(1)) : settings.deviceIDs
        guard !wanted.isEmpty else { throw AXCLUsageError.noDevices }
        var cards: [CardSupervisor] = []
        var failures: [String] = []
        var unopened: [DeviceStatus] = []
        for id in wanted {
            do {
                cards.append(try await CardSupervisor.open(library: library, deviceID: id, settings: settings, report: report))
            } catch {
                failures.append("device \(id.rawValue): \(error)")
                let detail = unopenedDetail(id, listed: listed, error: error, settings: settings)
                unopened.append(DeviceStatus(id: Int(id.rawValue), name: "axcl:\(id.rawValue)", state: .failed, detail: detail))
                report("NPU device \(id.rawValue) is not used: \(detail)")
            }
        }
        guard !cards.isEmpty else { throw NPUEngineError.deviceUnavailable("no configured card opened (\(failures.joined(separator: "; ")))") }
        let pool = NPUCardPool(cards: cards, unopened: unopened, report: report)
        await pool.superviseFailures()
        return pool
    }

    /// The cards that opened, then those that did not.
    public func deviceStatuses() async -> [DeviceStatus] {
        var statuses: [DeviceStatus] = []
        for card in cards { statuses.append(await card.statusWithBlockedModels()) }
        return statuses + unopened
    }

    /// Why a configured card is not used, with what to do about it.
    static func unopenedDetail(_ id: DeviceID, listed: [DeviceID], error: any Error, settings: CardSupervisionSettings) -> String {
        let why = listed.contains(id)
            ? "it did not open: \(error)"
            : "it is not in the runtime's device list \(listed.map(\.rawValue)) after waiting \(Int(settings.openEnumerationTimeout)) s"
        return "\(why). The other configured cards serve; check the card with axcl-smi (seated, powered, driver loaded) "
            + "or remove it from AXLLAMA_DEVICES, then restart axllama"
    }

    /// The device list once the configured cards (or, with none configured, any card) are in it:
    /// right after a boot or a driver reload the list stays empty for a while (axera.md §5), so
    /// it is polled up to `openEnumerationTimeout` before a card counts as missing.
    static func waitForCards(_ runtime: AXCLRuntime, settings: CardSupervisionSettings,
                             report: @Sendable (String) -> Void) async throws -> [DeviceID] {
        let deadline = Date().addingTimeInterval(settings.openEnumerationTimeout)
        var listed = try runtime.devices()
        func complete(_ listed: [DeviceID]) -> Bool {
            settings.deviceIDs.isEmpty ? !listed.isEmpty : settings.deviceIDs.allSatisfy(listed.contains)
        }
        if !complete(listed) { report("waiting up to \(Int(settings.openEnumerationTimeout)) s for the NPU card(s) to be listed") }
        while !complete(listed), Date() < deadline {
            try await Task.sleep(nanoseconds: 100_000_000)
            listed = try runtime.devices()
        }
        return listed
    }

    /// Loads `package` on the first card that accepts work and has room for its weights plus
    /// the CMM floor; a card whose load runs out of CMM is skipped for the next one. When no
    /// card can take it whole, its layers are split across the cards that accept work and
    /// together have room (`LayerSplit`); each of those cards' supervisors then watches it.
    public func place(_ package: NPUModelPackage, options: NPUEngineOptions = NPUEngineOptions()) async throws -> NPUEngine {
        try await place(package, options: options) { try await NPUEngine.load(package, cards: $0, options: options) }.engine
    }

    /// The placement rule of `place`, with `load` putting the model on the cards chosen (a new
    /// engine, or one moved off a failed card). Returns the engine and where it went, as the
    /// log says it (`axcl:130`, or `axcl:129 layers 0-20, axcl:130 layers 21-29`).
    private func place(_ package: NPUModelPackage, options: NPUEngineOptions,
                       load: ([EngineCard]) async throws -> NPUEngine) async throws -> (engine: NPUEngine, description: String) {
        // Every card down (recovering, wedged, failed): the server's 503, or its fallback model.
        guard cards.contains(where: \.health.acceptsWork) else {
            throw EngineUnavailableError(cards.map(\.health.unavailableReason).joined(separator: "; "))
        }
        let floorKiB = options.cmmFloorMiB * 1024
        let neededKiB = Self.weightBytes(package) / 1024 + floorKiB
        var reasons: [String] = []
        var candidates: [(card: CardSupervisor, freeKiB: Int)] = []
        for card in cards {
            let name = card.status.name
            guard card.health.acceptsWork else {
                reasons.append("\(name) is \(card.status.state.rawValue)")
                continue
            }
            let free = await card.freeCMMKiB()
            if let free { candidates.append((card, free)) }
            if let free, free < neededKiB {
                reasons.append("\(name) has \(free / 1024) MiB CMM free, the model needs about \((neededKiB - floorKiB) / 1024) MiB "
                    + "and \(options.cmmFloorMiB) MiB must stay free (AXLLAMA_CMM_FLOOR_MIB)")
                continue
            }
            do {
                let engine = try await Self.loading(on: [card]) {
                    try await load([card.engineCard(for: LayerShare(device: card.device, layers: package.layerFiles.indices))])
                }
                await card.adopt(engine)
                return (engine, name)
            } catch let error as NPUEngineError {
                guard case .insufficientCMM = error else { throw error }
                reasons.append("\(name): \(error)")
            }
        }
        if candidates.count >= 2,
           let placed = try await placeSplit(package, over: candidates, floorKiB: floorKiB, reasons: &reasons, load: load) {
            report("\(package.manifest.modelName) is split across \(placed.engine.placement.count) cards: \(placed.description)")
            return placed
        }
        throw NPUEngineError.deviceUnavailable("no card can take \(package.manifest.modelName): \(reasons.joined(separator: "; "))")
    }

    /// The package's layers over several of `candidates` (which accept work), or nil with the
    /// reason added when they cannot hold it together.
    private func placeSplit(_ package: NPUModelPackage, over candidates: [(card: CardSupervisor, freeKiB: Int)], floorKiB: Int,
                            reasons: inout [String], load: ([EngineCard]) async throws -> NPUEngine)
        async throws -> (engine: NPUEngine, description: String)?
    {
        let layerKiB = package.layerFiles.map { LayerSplit.estimatedKiB(fileBytes: Self.fileBytes($0)) }
        let postKiB = LayerSplit.estimatedKiB(fileBytes: Self.fileBytes(package.postModelFile))
        let budgets = candidates.map { $0.freeKiB - floorKiB }
        guard let plan = LayerSplit.plan(layerKiB: layerKiB, postKiB: postKiB, budgetsKiB: budgets) else {
            let needed = layerKiB.reduce(postKiB, +) / 1024, free = budgets.reduce(0) { $0 + max(0, $1) } / 1024
            reasons.append("split across cards, the model needs about \(needed) MiB (weights, caches and buffers) "
                + "but the cards that take work have \(free) MiB free together above the floor")
            return nil
        }
        let used = plan.map { (supervisor: candidates[$0.card].card, layers: $0.layers) }
        let engineCards = used.map { $0.supervisor.engineCard(for: LayerShare(device: $0.supervisor.device, layers: $0.layers)) }
        let description = used.map { "\($0.supervisor.status.name) layers \($0.layers.lowerBound)-\($0.layers.upperBound - 1)" }
            .joined(separator: ", ")
        do {
            let engine = try await Self.loading(on: used.map(\.supervisor)) { try await load(engineCards) }
            for card in used { await card.supervisor.adopt(engine) }
            return (engine, description)
        } catch let error as NPUEngineError {
            guard case .insufficientCMM = error else { throw error }
            reasons.append("split as \(description): \(error)")
            return nil
        }
    }

    /// Runs a load on `cards`; when it fails, reads their telemetry again before the failure goes
    /// up: a periodic poll may have caught the load half done, and `/health` would show CMM in
    /// use that the undone load gave back until the next poll (seconds later). Whoever is told
    /// of the failure then finds the cards as the load left them.
    private static func loading(on cards: [CardSupervisor], _ load: () async throws -> NPUEngine) async throws -> NPUEngine {
        do {
            return try await load()
        } catch {
            for card in cards { await card.pollOnce() }
            throw error
        }
    }

    // MARK: Re-placement

    /// Has each card hand its models over here when it fails for good.
    func superviseFailures() async {
        for card in cards {
            await card.handOverModelsOnFailure { [weak self, weak card] engines in
                guard let self, let card else { return }
                await self.replace(engines, off: card)
            }
        }
    }

    /// Moves the models of a card that failed for good onto the cards that still take work,
    /// by the rule models are placed by at load: whole on one card, or split when no card holds
    /// it. The cached prompt is restored as a recovery restores it. A model nothing can hold
    /// stays unavailable; the failed card's detail (what `/health` shows and refused requests
    /// are told) and the log say why.
    func replace(_ engines: [NPUEngine], off failed: CardSupervisor) async {
        let failedName = failed.status.name
        for engine in engines where await !engine.isUnloadedForGood() {
            let name = engine.package.manifest.modelName
            // What it still holds on the cards that work counts as free for the new placement. On
            // the failed card the release is best effort, and bounded: a lost card's calls may
            // not return (its recovery, when it ran, released it already).
            let timeout = failed.settings.engineTimeout
            do {
                try await ExecuteWatchdog.run(
                    clocks: [], timeout: timeout, deadline: timeout,
                    stalled: { stall in EngineUnavailableError("releasing it on its cards did not return within \(NPUEngine.seconds(stall.seconds))") },
                    lateReturn: {}) { await engine.releaseForRecovery() }
            } catch {
                failed.health.appendDetail("\(name) could not be moved to another card: \(error)")
                failed.health.recordBlocked(model: name)
                report("\(name) could not be moved off \(failedName), which failed: \(error)")
                continue
            }
            do {
                let (_, description) = try await place(engine.package, options: engine.options) { newCards in
                    try await engine.move(to: newCards)
                    return engine
                }
                let used = Set(engine.placement.map(\.device.id))
                for card in cards where !used.contains(card.device.id) { await card.disown(engine) }
                failed.health.appendDetail("\(name) was moved to \(description)")
                report("\(name) was moved off \(failedName), which failed, to \(description)")
            } catch {
                failed.health.appendDetail("\(name) could not be moved to another card: \(error)")
                failed.health.recordBlocked(model: name)
                report("\(name) could not be moved off \(failedName), which failed: \(error); "
                    + "it stays unavailable until axllama is restarted with a working card")
            }
        }
    }

    static func weightBytes(_ package: NPUModelPackage) -> Int {
        (package.layerFiles + [package.postModelFile]).reduce(0) { $0 + fileBytes($1) }
    }

    static func fileBytes(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
