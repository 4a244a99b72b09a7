import EngineInterface

/// One model as health reports see it.
public struct ModelHealth: Sendable, Equatable {
    public enum State: String, Sendable {
        case loading, resident
        /// Pinned but neither loading nor resident, and never tried (or its model was deleted).
        case missing
        /// Its last load failed (`loadError` says why); pinned or not, until a load succeeds.
        case failed
    }

    public var name: String
    public var state: State
    public var isPinned: Bool
    public var isBusy: Bool
    /// Requests waiting for this model.
    public var queued: Int
    /// Why the last load failed, for a `failed` model.
    public var loadError: String?

    public init(name: String, state: State, isPinned: Bool, isBusy: Bool = false, queued: Int = 0, loadError: String? = nil) {
        self.name = name
        self.state = state
        self.isPinned = isPinned
        self.isBusy = isBusy
        self.queued = queued
        self.loadError = loadError
    }
}

/// The server's answer to "are you fit to serve?": ready when every pinned model is resident,
/// the start-up preload is done and no device is unusable or too hot; otherwise the reasons.
public struct HealthReport: Sendable, Equatable {
    public var phase: ServingPhase
    /// Empty when healthy; each a sentence a person can act on.
    public var reasons: [String]
    public var devices: [DeviceStatus]
    public var models: [ModelHealth]
    public var queueDepth: Int
    public var uptimeSeconds: Double

    public var isHealthy: Bool { reasons.isEmpty }

    public init(phase: ServingPhase, reasons: [String], devices: [DeviceStatus], models: [ModelHealth], queueDepth: Int, uptimeSeconds: Double) {
        self.phase = phase
        self.reasons = reasons
        self.devices = devices
        self.models = models
        self.queueDepth = queueDepth
        self.uptimeSeconds = uptimeSeconds
    }
}

/// Where the server is in its life.
public enum ServingPhase: String, Sendable, Equatable {
    /// Listening, but the preload list is still loading.
    case starting
    case serving
    /// A shutdown was asked for: requests in flight finish, new ones are refused.
    case draining
}
