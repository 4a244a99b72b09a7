import AXCL
import AXCLSimulatorSupport
import CAXCL
import Foundation
import SimulatedAXModel
import Testing

extension SimulatorBackedTests {
    /// The vendor's canonical call sequence (axera.md §1.8) through the binding.
    @Suite(.enabled(if: Simulator.isAvailable)) struct CanonicalSequence {
        @Test func canonicalSequenceRunsAPostModelAndTearsDownWithoutLeaks() async throws {
            let (library, control) = try Simulator.fresh()
            let directory = try TemporaryDirectory()
            let post = TinyPost()
            try post.writer().write(to: directory.file("post.axmodel"))

            // 1. init, device list, set device, engine init
            let runtime = try AXCLRuntime(library: library)
            #expect(try runtime.version() == .init(major: 3, minor: 10, patch: 2))
            #expect(runtime.socName == "AX650N")
            let devices = try runtime.devices()
            #expect(devices.count == 1)
            let device = try await AXCLDevice.open(runtime, id: try #require(devices.first))
            try await device.initializeEngine(.disabled)

            // 2. load, context, IO info, buffers per input/output, IO, bindings
            let model = try await device.loadModel(path: directory.file("post.axmodel").path)
            #expect(model.compilerVersion == "axsim-test 1")
            let context = try await device.createContext(for: model)
            let info = try await device.ioInfo(for: model)
            #expect(info.groups.count == 1)
            let group = info.groups[0]
            #expect(group.inputs.map(\.name) == ["input"])
            #expect(group.inputs[0].dimensions == [1, 1, post.hidden])
            #expect(group.inputs[0].dataType == .bf16)
            #expect(group.outputs[0].byteCount == post.vocab * 2)
            var buffers: [DeviceBuffer] = []
            for tensor in group.inputs + group.outputs {
                let buffer = try await device.allocate(byteCount: tensor.byteCount)
                try await device.fill(buffer.address, value: 0, byteCount: buffer.byteCount)
                buffers.append(buffer)
            }
            let io = try await device.createIO(info)
            try await device.bindInput(io, index: 0, to: buffers[0])
            try await device.bindOutput(io, index: 0, to: buffers[1])

            // 3. H2D, execute, D2H (through pinned staging, as the engine will)
            var random = SeededGenerator(state: 3)
            let x = random.values(post.hidden).map(\.bf16Rounded)
            let staging = try await device.allocateHost(byteCount: post.vocab * 2)
            x.map { Float.bf16Bits($0) }.withUnsafeBytes { staging.pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            try await device.copy(staging, to: buffers[0].address, byteCount: post.hidden * 2)
            try await device.execute(model, context: context, group: 0, io: io)
            try await device.copy(buffers[1].address, to: staging, byteCount: post.vocab * 2)
            let logits = (0 ..< post.vocab).map { Float(bf16: staging.pointer.load(fromByteOffset: $0 * 2, as: UInt16.self)) }
            let expected = post.reference(x)
            for (actual, wanted) in zip(logits, expected) { #expect(abs(actual - wanted) <= 0.01 * max(1, abs(wanted))) }
            #expect(logits.firstIndex(of: logits.max()!) == expected.firstIndex(of: expected.max()!))

            // 4. teardown in the documented order
            try await device.free(staging)
            for buffer in buffers { try await device.free(buffer) }
            try await device.destroy(io)
            try await device.destroy(info)
            try await device.unload(model)
            try await device.finalizeEngine()
            let beforeReset = control.stats
            #expect(beforeReset.deviceAllocations == 0)
            #expect(beforeReset.hostAllocations == 0)
            #expect(beforeReset.models == 0)
            #expect(beforeReset.ios == 0 && beforeReset.ioInfos == 0)
            try await device.close()
            try runtime.finalize()
            let after = control.stats
            #expect(after.contexts == 0)
            #expect(after.activeDevices == 0)
            #expect(after.leakedAtReset == 0)
            #expect(after.cmmUsedBytes == 0)
        }

        @Test func resettingWithBuffersStillAllocatedIsReportedAsALeak() async throws {
            let (library, control) = try Simulator.fresh()
            let runtime = try AXCLRuntime(library: library)
            let device = try await AXCLDevice.open(runtime, id: try runtime.devices()[0])
            _ = try await device.allocate(byteCount: 4096)
            try await device.close()
            #expect(control.stats.leakedAtReset == 1)
            try runtime.finalize()
        }

        @Test func everyDeviceCallRunsOnTheDeviceThread() async throws {
            let (library, _) = try Simulator.fresh()
            let runtime = try AXCLRuntime(library: library)
            let device = try await AXCLDevice.open(runtime, id: try runtime.devices()[0])
            // A thread without the card's context cannot allocate; the device actor can, from
            // whatever task calls it, because it always runs on the thread SetDevice bound.
            let symbols = library.symbols
            let elsewhere = onFreshThread { () -> Int32 in
                var pointer: UnsafeMutableRawPointer?
                return symbols.axclrtMalloc(&pointer, 64, AXCL_MEM_MALLOC_HUGE_FIRST)
            }
            #expect(AXCLErrorCode(elsewhere).name == "CONTEXT_NO_BIND_CONTEXT")
            await withTaskGroup(of: Void.self) { group in
                for _ in 0 ..< 8 {
                    group.addTask {
                        let buffer = try! await device.allocate(byteCount: 64)
                        try! await device.free(buffer)
                    }
                }
            }
            try await device.close()
            try runtime.finalize()
        }
    }
}
