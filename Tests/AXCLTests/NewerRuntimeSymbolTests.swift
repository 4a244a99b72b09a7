import AXCL
import AXCLSimulatorSupport
import CAXCL
import Foundation
import Synchronization
import Testing

extension SimulatorBackedTests {
    /// The optional symbols of newer runtimes that the simulator exports (axera.md §1.3, §1.4).
    @Suite(.enabled(if: Simulator.isAvailable)) struct NewerRuntimeSymbols {
        @Test(arguments: [
            0x8030070C as UInt32, 0x80300284, 0x80300181, 0x80300581, 0x80300781, 0x80300507, 0x80300103, 0x80300383,
        ])
        func errorStringsNameTheCodeAsTheBindingDecodesIt(raw: UInt32) throws {
            let (library, _) = try Simulator.fresh()
            let errorString = try #require(library.symbols.axclrtGetErrorString)
            let text = String(cString: try #require(errorString(axclError(bitPattern: raw))))
            #expect(text == "AXCL_ERR_" + AXCLErrorCode(rawValue: raw).name)
        }

        @Test func successAndForeignCodesGetAReadableString() throws {
            let (library, _) = try Simulator.fresh()
            let errorString = try #require(library.symbols.axclrtGetErrorString)
            #expect(String(cString: try #require(errorString(0))) == "AXCL_SUCC")
            // Codes without the AXCL marker are passed through from the card's SDK (axera.md §1.2).
            #expect(String(cString: try #require(errorString(axclError(bitPattern: 0x800A0001)))).contains("0x800A0001"))
        }

        /// Events the callback received, in order; the callback runs on a thread of the runtime's.
        final class StatusEvents: Sendable {
            let events = Mutex<[(device: Int32, status: axclrtDeviceStatus)]>([])

            func wait(for count: Int, seconds: Double = 5) async -> [(device: Int32, status: axclrtDeviceStatus)] {
                let deadline = Date().addingTimeInterval(seconds)
                while Date() < deadline {
                    let seen = events.withLock { $0 }
                    if seen.count >= count { return seen }
                    try? await Task.sleep(for: .milliseconds(10))
                }
                return events.withLock { $0 }
            }
        }

        static let record: axclrtDeviceStatusCallback = { device, status, userdata in
            let events = Unmanaged<StatusEvents>.fromOpaque(userdata!).takeUnretainedValue()
            events.events.withLock { $0.append((device, status)) }
        }

        @Test func aDeviceThatDropsOffTheBusIsReportedOfflineOnceAndOnlineAfterItsReboot() async throws {
            let (library, control) = try Simulator.fresh()
            let runtime = try AXCLRuntime(library: library)
            let register = try #require(library.symbols.axclrtRegisterDeviceStatusCallback)
            let events = StatusEvents()
            let userdata = Unmanaged.passUnretained(events).toOpaque()
            #expect(register(Self.record, userdata) == 0)
            let device = try runtime.devices()[0]
            control.setRebootDuration(seconds: 0.2)
            control.setDeviceOffline(device.rawValue)
            control.setDeviceOffline(device.rawValue) // already offline: not reported again
            let offline = await events.wait(for: 1)
            #expect(offline.map(\.device) == [device.rawValue])
            #expect(offline.map(\.status) == [AXCL_DEVICE_STATUS_OFFLINE])
            // What the vendor's documentation tells the callback's owner to do.
            #expect(try runtime.reboot(device))
            let both = await events.wait(for: 2)
            #expect(both.map(\.status) == [AXCL_DEVICE_STATUS_OFFLINE, AXCL_DEVICE_STATUS_ONLINE])
            #expect(try runtime.devices() == [device])
            #expect(register(nil, nil) == 0)
            control.setDeviceOffline(device.rawValue)
            try await Task.sleep(for: .milliseconds(100))
            #expect(events.events.withLock { $0.count } == 2, "an unregistered callback is not called")
            control.reset()
            withExtendedLifetime(events) {}
        }
    }
}
