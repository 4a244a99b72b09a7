import AXCL
import EngineInterface
import Synchronization

/// The live status of one card, shared by its engines (which count faults and refuse work when
/// the card cannot take it), its supervisor (which runs telemetry and recovery) and whoever reads
/// `DeviceStatus` for health and metrics. Readable from any thread without touching the device.
public final class CardHealth: Sendable {
    private let status: Mutex<DeviceStatus>

    public init(id: DeviceID, state: DeviceStatus.State = .ready) {
        status = Mutex(DeviceStatus(id: Int(id.rawValue), name: "axcl:\(id.rawValue)", state: state))
    }

    public var snapshot: DeviceStatus { status.withLock { $0 } }

    public var state: DeviceStatus.State { status.withLock { $0.state } }

    /// Whether requests may run on the card now.
    public var acceptsWork: Bool {
        switch state {
        case .ready, .degraded: return true
        case .initializing, .recovering, .wedged, .offline, .failed: return false
        }
    }

    /// Throws the error the server turns into 503 when the card cannot take work.
    public func admit() throws(EngineUnavailableError) {
        guard acceptsWork else { throw EngineUnavailableError(unavailableReason) }
    }

    /// The card named with its state and detail: what a refused request is told.
    public var unavailableReason: String {
        let current = snapshot
        return "the NPU card \(current.name) is \(current.state.rawValue)" + (current.detail.map { ": \($0)" } ?? "")
    }

    public func set(_ state: DeviceStatus.State, detail: String?) {
        status.withLock {
            $0.state = state
            $0.detail = detail
        }
    }

    /// Moves to `state` only from one of `from`; returns whether it did. Keeps a wedged or
    /// failed card from being reported as merely recovering by a late fault.
    @discardableResult
    public func transition(to state: DeviceStatus.State, detail: String?, from allowed: Set<DeviceStatus.State>) -> Bool {
        status.withLock {
            guard allowed.contains($0.state) else { return false }
            $0.state = state
            $0.detail = detail
            return true
        }
    }

    /// Adds a sentence to the detail (what became of a failed card's models).
    public func appendDetail(_ sentence: String) {
        status.withLock { $0.detail = ($0.detail.map { $0 + "; " } ?? "") + sentence }
    }

    /// Notes a model of this failed card that no other card could take: it stays unavailable
    /// until a restart finds a working card for it.
    public func recordBlocked(model: String) {
        status.withLock { if !$0.blockedModels.contains(model) { $0.blockedModels.append(model) } }
    }

    /// Counts a fault under its kind's name (`device lost`, `bad parameter`, `timeout`, …).
    public func recordFault(_ kind: String) {
        status.withLock { $0.faultCounts[kind, default: 0] += 1 }
    }

    public func recordRecovery() {
        status.withLock {
            $0.recoveryCount += 1
            $0.state = .ready
            $0.detail = nil
        }
    }

    /// Telemetry in the units `DeviceStatus` uses (axera.md §1.9, §7.10).
    public func update(with properties: DeviceProperties) {
        status.withLock {
            $0.temperatureCelsius = properties.temperatureCelsius
            $0.cmmTotalBytes = UInt64(properties.cmmTotalKiB) * 1024
            $0.cmmUsedBytes = UInt64(properties.cmmUsedKiB) * 1024
            $0.npuLoadPercent = properties.npuLoadPercent
            $0.cpuLoadPercent = properties.cpuLoadPercent
            $0.firmwareVersion = properties.softwareVersion
        }
    }

    /// The engine protocol's coarser view of the same state. While the card is down the detail
    /// names the card and its exact state (`wedged` is reported as `failed`), so that whoever
    /// refuses a request for it can say why.
    public var engineHealth: EngineHealth {
        let current = snapshot
        switch current.state {
        case .ready: return .ready
        case .degraded: return EngineHealth(state: .degraded, detail: current.detail)
        case .initializing, .recovering, .offline: return EngineHealth(state: .recovering, detail: unavailableReason)
        case .wedged, .failed: return EngineHealth(state: .failed, detail: unavailableReason)
        }
    }
}
