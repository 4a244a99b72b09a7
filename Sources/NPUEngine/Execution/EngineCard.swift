import AXCL

/// Which layers of a package one card holds. A model that fits on one card has one share of all
/// its layers; a model split across cards has one per card, in layer order (the first card takes
/// the embedding rows from the host, the last one runs the post model).
public struct LayerShare: Sendable {
    public let device: AXCLDevice
    public let layers: Range<Int>

    public init(device: AXCLDevice, layers: Range<Int>) {
        self.device = device
        self.layers = layers
    }
}

/// One card an engine runs on: its share of the layers, the card's shared status, its
/// supervisor's hooks (nil when nobody supervises the card) and its execute clock.
struct EngineCard: Sendable {
    let share: LayerShare
    let health: CardHealth
    let supervision: EngineSupervision?
    let clock: ExecuteClock

    var device: AXCLDevice { share.device }

    init(share: LayerShare, health: CardHealth, supervision: EngineSupervision?) {
        self.share = share
        self.health = health
        self.supervision = supervision
        clock = supervision?.clock ?? ExecuteClock()
    }

    /// Counts a runtime error under its kind on this card. One that leaves the card unhealthy
    /// (axera.md §7.9) hands the card to its supervisor's recovery — or, when nobody supervises
    /// it, marks it failed — and returns true; any other fails only the call that met it.
    @discardableResult
    func recordFault(_ error: AXCLError) -> Bool {
        health.recordFault(error.kind.rawValue)
        guard error.kind.marksDeviceUnhealthy else { return false }
        if let supervision {
            if health.transition(to: .recovering, detail: "\(error); recovering the card", from: [.ready, .degraded]) {
                supervision.deviceFault(error)
            }
        } else {
            health.transition(to: .failed, detail: "\(error)", from: [.ready, .degraded, .recovering])
        }
        return true
    }
}
