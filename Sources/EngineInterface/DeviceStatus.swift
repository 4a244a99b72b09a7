/// What a device (an NPU card) reports about itself, polled off the token path. Runtime's health
/// registry, `/health`, `/metrics` and the status log read these; the NPU engine produces them.
public struct DeviceStatus: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        /// Opening the runtime or loading models.
        case initializing
        case ready
        /// Usable, but a threshold is crossed (hot, little CMM left) or faults were seen recently.
        case degraded
        /// The recovery ladder is running; requests go to the fallback or get 503.
        case recovering
        /// An engine call never returned; the card needs a reset or a power cycle.
        case wedged
        /// Not in the runtime's device list (unplugged, rebooting, driver gone).
        case offline
        /// Recovery gave up; a person must act.
        case failed
    }

    /// The runtime's device id (the PCIe bus number for AXCL cards).
    public var id: Int
    /// A short name for logs and metric labels, e.g. `axcl:1`.
    public var name: String
    public var state: State
    /// A sentence a person can act on when the state is not `ready`.
    public var detail: String?
    public var temperatureCelsius: Double?
    public var cmmTotalBytes: UInt64?
    public var cmmUsedBytes: UInt64?
    /// 0–100.
    public var npuLoadPercent: Double?
    /// 0–100.
    public var cpuLoadPercent: Double?
    public var firmwareVersion: String?
    /// Faults seen since start, by kind (`deviceLost`, `outOfMemory`, `timeout`, `badParameter`, …).
    public var faultCounts: [String: Int]
    /// Completed recoveries since start.
    public var recoveryCount: Int
    /// Models held on this card that no other card has taken over: while the card is down they
    /// cannot be served. Empty for a working card, and for a failed one whose models were moved.
    public var blockedModels: [String]

    public init(id: Int, name: String, state: State, detail: String? = nil, temperatureCelsius: Double? = nil,
                cmmTotalBytes: UInt64? = nil, cmmUsedBytes: UInt64? = nil, npuLoadPercent: Double? = nil,
                cpuLoadPercent: Double? = nil, firmwareVersion: String? = nil, faultCounts: [String: Int] = [:],
                recoveryCount: Int = 0, blockedModels: [String] = []) {
        self.id = id
        self.name = name
        self.state = state
        self.detail = detail
        self.temperatureCelsius = temperatureCelsius
        self.cmmTotalBytes = cmmTotalBytes
        self.cmmUsedBytes = cmmUsedBytes
        self.npuLoadPercent = npuLoadPercent
        self.cpuLoadPercent = cpuLoadPercent
        self.firmwareVersion = firmwareVersion
        self.faultCounts = faultCounts
        self.recoveryCount = recoveryCount
        self.blockedModels = blockedModels
    }
}

/// A source of device statuses: the NPU side registers one per runtime; a machine without a card
/// has none.
public protocol DeviceMonitor: Sendable {
    func deviceStatuses() async -> [DeviceStatus]
}
