import EngineInterface
import NPUEngine

/// The NPU cards' statuses for health, metrics and the status log, once the cards have been
/// opened by a package model; before that (or on a machine without a card) there are none.
struct OpenedCardsMonitor: DeviceMonitor {
    let cards: NPUCards

    func deviceStatuses() async -> [DeviceStatus] {
        await cards.openedPool()?.deviceStatuses() ?? []
    }
}
