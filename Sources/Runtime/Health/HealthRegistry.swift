import EngineInterface
import Synchronization

/// What the server knows about its own fitness: the serving phase, the device monitors
/// registered by the engines, and the thresholds that turn telemetry into verdicts. `/health`,
/// `/metrics`, the status log, the thermal guard and the systemd watchdog all read it.
public final class HealthRegistry: Sendable {
    public let thresholds: HealthThresholds
    public let thermalGuard: ThermalGuard
    private let startedAt = MonotonicClock.nanoseconds()
    private let state: Mutex<(phase: ServingPhase, monitors: [any DeviceMonitor])>
    /// The error of each model's last load, while it failed (by full model name).
    private let loadFailures = Mutex<[String: String]>([:])

    public init(thresholds: HealthThresholds = HealthThresholds(), monitors: [any DeviceMonitor] = []) {
        self.thresholds = thresholds
        thermalGuard = ThermalGuard(thresholds: thresholds)
        state = Mutex((.starting, monitors))
    }

    /// Adds a device monitor (an engine registers one per runtime it opens).
    public func register(_ monitor: any DeviceMonitor) {
        state.withLock { $0.monitors.append(monitor) }
    }

    public var phase: ServingPhase { state.withLock { $0.phase } }

    public func enter(_ phase: ServingPhase) {
        state.withLock { $0.phase = phase }
    }

    /// Notes the outcome of a model load: a failure is shown by health reports until a load of
    /// the same model succeeds (`nil`).
    public func recordLoad(model: String, failure: String?) {
        loadFailures.withLock { $0[model] = failure }
    }

    /// Models whose last load failed, with the error.
    public var failedLoads: [String: String] { loadFailures.withLock { $0 } }

    public var uptimeSeconds: Double { Double(MonotonicClock.nanoseconds() - startedAt) / 1e9 }

    /// Every registered monitor's devices, in registration order.
    public func deviceStatuses() async -> [DeviceStatus] {
        let monitors = state.withLock { $0.monitors }
        var statuses: [DeviceStatus] = []
        for monitor in monitors { statuses += await monitor.deviceStatuses() }
        return statuses
    }

    public func report(models: [ModelHealth]) async -> HealthReport {
        let devices = await deviceStatuses()
        let phase = self.phase
        var reasons: [String] = []
        switch phase {
        case .starting: reasons.append("starting: the preload models are still loading")
        case .draining: reasons.append("shutting down: no new requests are accepted")
        case .serving: break
        }
        for model in models where model.isPinned {
            switch model.state {
            case .resident: break
            case .loading: reasons.append("pinned model \(model.name) is loading")
            case .missing: reasons.append("pinned model \(model.name) is not loaded")
            case .failed: reasons.append("pinned model \(model.name) failed to load: \(model.loadError ?? "see the log")")
            }
        }
        for device in devices {
            if let reason = Self.unusableReason(device) { reasons.append(reason) }
            if let celsius = device.temperatureCelsius, thermalGuard.level(celsius: celsius) == .critical {
                reasons.append(DeviceTooHotError(device: device.name, celsius: celsius, limit: thresholds.criticalCelsius).description)
            }
        }
        return HealthReport(phase: phase, reasons: reasons, devices: devices, models: models,
                            queueDepth: models.reduce(0) { $0 + $1.queued }, uptimeSeconds: uptimeSeconds)
    }

    /// Ready and degraded devices serve; every other state is a reason to be unready.
    static func unusableReason(_ device: DeviceStatus) -> String? {
        let what: String
        switch device.state {
        case .ready, .degraded: return nil
        case .initializing: what = "is initializing"
        case .recovering: what = "is recovering from a fault"
        case .wedged: what = "is wedged (an engine call never returned)"
        case .offline: what = "is offline"
        case .failed: what = "has failed and needs a person"
        }
        return "device \(device.name) \(what)" + (device.detail.map { ": \($0)" } ?? "")
    }
}
