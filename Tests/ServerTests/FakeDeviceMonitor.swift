import EngineInterface
import Synchronization

/// A device monitor whose telemetry a test sets, standing in for an NPU card.
final class FakeDeviceMonitor: DeviceMonitor {
    private let statuses: Mutex<[DeviceStatus]>

    init(_ statuses: [DeviceStatus] = [FakeDeviceMonitor.card()]) {
        self.statuses = Mutex(statuses)
    }

    static func card(state: DeviceStatus.State = .ready, celsius: Double = 45) -> DeviceStatus {
        DeviceStatus(id: 1, name: "axcl:1", state: state, temperatureCelsius: celsius, cmmTotalBytes: 7040 << 20,
                     cmmUsedBytes: 1200 << 20, npuLoadPercent: 12.5, cpuLoadPercent: 3, firmwareVersion: "V3.6.4")
    }

    func update(_ change: (inout DeviceStatus) -> Void) {
        statuses.withLock { change(&$0[0]) }
    }

    func deviceStatuses() async -> [DeviceStatus] { statuses.withLock { $0 } }
}
