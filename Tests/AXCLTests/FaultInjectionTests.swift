import AXCL
import AXCLSimulatorSupport
import Foundation
import Testing

extension SimulatorBackedTests {
    /// Injected card faults surface through the binding as the classes recovery acts on.
    @Suite(.enabled(if: Simulator.isAvailable)) struct FaultInjection {
        struct PostSetup {
            let runtime: AXCLRuntime, control: SimulatorControl, device: AXCLDevice
            let model: EngineModel, context: EngineContext, info: EngineIOInfo, io: EngineIO
            let buffers: [DeviceBuffer]
            let directory: TemporaryDirectory

            func execute() async throws { try await device.execute(model, context: context, group: 0, io: io) }
        }

        func postSetup() async throws -> PostSetup {
            let (library, control) = try Simulator.fresh()
            let runtime = try AXCLRuntime(library: library)
            let device = try await AXCLDevice.open(runtime, id: try runtime.devices()[0])
            let directory = try TemporaryDirectory()
            try TinyPost().writer().write(to: directory.file("post.axmodel"))
            return try await postSetup(on: device, runtime: runtime, control: control, directory: directory)
        }

        /// The post model loaded and bound on an opened device.
        func postSetup(on device: AXCLDevice, runtime: AXCLRuntime, control: SimulatorControl, directory: TemporaryDirectory)
            async throws -> PostSetup
        {
            try await device.initializeEngine()
            let model = try await device.loadModel(path: directory.file("post.axmodel").path)
            let context = try await device.createContext(for: model)
            let info = try await device.ioInfo(for: model)
            let io = try await device.createIO(info)
            let input = try await device.allocate(byteCount: info.groups[0].inputs[0].byteCount)
            let output = try await device.allocate(byteCount: info.groups[0].outputs[0].byteCount)
            try await device.fill(input.address, byteCount: input.byteCount)
            try await device.bindInput(io, index: 0, to: input)
            try await device.bindOutput(io, index: 0, to: output)
            return PostSetup(runtime: runtime, control: control, device: device, model: model, context: context, info: info, io: io,
                             buffers: [input, output], directory: directory)
        }

        func kind(of error: any Error) -> AXCLErrorKind? { (error as? AXCLError)?.kind }

        @Test func deviceGoesOfflineAfterNExecutesAndComesBackAfterReboot() async throws {
            let s = try await postSetup()
            s.control.setOfflineAfterExecutes(2)
            s.control.setRebootDuration(seconds: 0.3)
            try await s.execute()
            try await s.execute()
            await #expect { try await s.execute() } throws: { ($0 as? AXCLError)?.code.name == "ENGINE_EXECUTE_FAIL" }
            await #expect { try await s.execute() } throws: { ($0 as? AXCLError)?.code.name == "DEVICE_NO_CONNECT" && kind(of: $0) == .deviceLost }
            await #expect { _ = try await s.device.properties() } throws: { kind(of: $0) == .deviceLost }

            #expect(try s.runtime.reboot(s.device.id))
            #expect(try s.runtime.devices().isEmpty) // gone while it reboots
            try await Task.sleep(for: .milliseconds(400))
            #expect(try s.runtime.devices() == [s.device.id])
            // Handles from before the reboot are stale; a fresh open works, and the reboot healed
            // the card: executes succeed again (axera.md §5, the EP reboot of the field ladder).
            await #expect { try await s.execute() } throws: { kind(of: $0) == .deviceLost }
            let reopened = try await AXCLDevice.open(s.runtime, id: s.device.id)
            let again = try await postSetup(on: reopened, runtime: s.runtime, control: s.control, directory: s.directory)
            for _ in 0 ..< 4 { try await again.execute() }
            try await reopened.unload(again.model)
            try await reopened.close()
        }

        /// A card that never heals: the drop survives the reboot and strikes at the first execute after it.
        @Test func offlineFaultConfiguredToSurviveRebootsStrikesAgain() async throws {
            let s = try await postSetup()
            s.control.setOfflineSurvivesReboot(true)
            s.control.setOfflineAfterExecutes(1)
            try await s.execute()
            await #expect { try await s.execute() } throws: { kind(of: $0) == .deviceFault }
            #expect(try s.runtime.reboot(s.device.id))
            let reopened = try await AXCLDevice.open(s.runtime, id: s.device.id)
            let again = try await postSetup(on: reopened, runtime: s.runtime, control: s.control, directory: s.directory)
            await #expect { try await again.execute() } throws: { ($0 as? AXCLError)?.code.name == "ENGINE_EXECUTE_FAIL" }
            await #expect { try await again.execute() } throws: { kind(of: $0) == .deviceLost }
        }

        @Test func injectedExecuteErrorFailsOnlyThatExecute() async throws {
            let s = try await postSetup()
            s.control.setExecuteError(at: 2)
            try await s.execute()
            await #expect { try await s.execute() } throws: { kind(of: $0) == .deviceFault }
            try await s.execute()
            try await s.device.close()
        }

        @Test func hungExecuteReturnsOnlyWhenReleased() async throws {
            let s = try await postSetup()
            s.control.setHang(at: 1)
            let finished = Task { () -> Bool in
                do { try await s.execute(); return true } catch { return false }
            }
            try await Task.sleep(for: .milliseconds(200))
            let stats = s.control.stats // the control API stays usable while the device thread hangs
            #expect(stats.executes == 1)
            s.control.releaseHangs()
            #expect(await finished.value == false)
            try await s.device.close()
        }

        /// The Kth load blocks until released, then completes: the model is loaded and usable.
        @Test func hungLoadReturnsOnlyWhenReleasedAndThenCompletes() async throws {
            let s = try await postSetup()
            s.control.setHang(atLoad: 2)
            let path = s.directory.file("post.axmodel").path
            let first = try await s.device.loadModel(path: path) // the first load from now is not the hung one
            let hung = Task { try await s.device.loadModel(path: path) }
            try await Task.sleep(for: .milliseconds(200))
            #expect(s.control.stats.models == 2) // the hung load has not registered its model
            s.control.releaseHangs()
            let model = try await hung.value
            #expect(s.control.stats.models == 3)
            try await s.device.unload(model)
            try await s.device.unload(first)
            try await s.execute()
            try await s.device.close()
        }

        /// The Kth call of a named runtime function blocks until released, then goes on; other
        /// functions and the earlier calls are not held, and a name that cannot hang is refused.
        @Test func hungNamedCallReturnsOnlyWhenReleasedAndThenCompletes() async throws {
            let s = try await postSetup()
            #expect(!s.control.setHang(atCall: 1, of: "axclrtEngineExecute"))
            #expect(!s.control.setHang(atCall: 1, of: "noSuchCall"))
            #expect(s.control.setHang(atCall: 2, of: "axclrtMalloc"))
            _ = try await s.device.properties()
            let first = try await s.device.allocate(byteCount: 64) // the first call from now is not the hung one
            let hung = Task { try await s.device.allocate(byteCount: 128) }
            try await Task.sleep(for: .milliseconds(200))
            #expect(s.control.stats.deviceAllocations == UInt32(s.buffers.count) + 1) // the hung call has not allocated
            s.control.releaseHangs()
            let second = try await hung.value
            #expect(s.control.stats.deviceAllocations == UInt32(s.buffers.count) + 2)
            try await s.device.free(second)
            try await s.device.free(first)
            try await s.execute()
            try await s.device.close()
        }

        @Test func deviceListStaysEmptyForTheConfiguredTime() async throws {
            let (library, control) = try Simulator.fresh()
            let runtime = try AXCLRuntime(library: library)
            control.setDeviceListEmpty(seconds: 0.3)
            #expect(try runtime.devices().isEmpty)
            await #expect { _ = try await AXCLDevice.open(runtime, id: DeviceID(129)) } throws: { ($0 as? AXCLUsageError) == .noDevices }
            try await Task.sleep(for: .milliseconds(400))
            #expect(try runtime.devices().count == 1)
            try runtime.finalize()
        }

        @Test func telemetryFollowsTheSimulatedState() async throws {
            let s = try await postSetup()
            let idle = try await s.device.properties()
            #expect((30 ... 60).contains(idle.temperatureCelsius))
            #expect(idle.cmmTotalKiB == 7040 * 1024)
            #expect(idle.cmmUsedKiB > 0) // the model and its buffers
            #expect(idle.softwareVersion.contains("V3.10.2"))
            s.control.setLoads(cpu: 1234, npu: 5678)
            s.control.setTemperature(85_500)
            let set = try await s.device.properties()
            #expect(set.npuLoadPercent == 56.78 && set.cpuLoading == 1234 && set.temperatureMilliCelsius == 85_500)
            // At the card's reset temperature it drops off the bus (axera.md §1.1).
            s.control.setTemperature(121_000)
            await #expect { _ = try await s.device.properties() } throws: { kind(of: $0) == .deviceLost }
        }

        @Test func temperatureRampRaisesTheReportedTemperature() async throws {
            let (library, control) = try Simulator.fresh()
            let runtime = try AXCLRuntime(library: library)
            control.setTemperatureRamp(20_000)
            let id = try runtime.devices()[0]
            let before = try runtime.properties(of: id).temperatureMilliCelsius
            try await Task.sleep(for: .milliseconds(300))
            let after = try runtime.properties(of: id).temperatureMilliCelsius
            #expect(after - before >= 4_000)
            try runtime.finalize()
        }

        @Test func timingModelMakesExecutesTakeTheModelledTime() async throws {
            let s = try await postSetup()
            s.control.setTiming(fixedMicroseconds: 30_000, bandwidthGBps: 25)
            let clock = ContinuousClock()
            let elapsed = try await clock.measure { try await s.execute() }
            #expect(elapsed >= .milliseconds(30))
            s.control.setTiming(fixedMicroseconds: 0, bandwidthGBps: 0)
            #expect(try await clock.measure { try await s.execute() } < .milliseconds(30))
            try await s.device.close()
        }
    }
}
