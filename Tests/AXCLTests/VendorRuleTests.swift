import AXCL
import AXCLSimulatorSupport
import CAXCL
import Foundation
import Testing

extension SimulatorBackedTests {
    /// Each documented rule fails with the vendor's code (axera.md §1.5-§1.7, §6).
    @Suite(.enabled(if: Simulator.isAvailable)) struct VendorRules {
        /// An open device with its engine initialised and one tiny layer model loaded.
        struct Setup {
            let library: AXCLLibrary, control: SimulatorControl, runtime: AXCLRuntime, device: AXCLDevice
            let directory: TemporaryDirectory
        }

        func setup(engine: Bool = true) async throws -> Setup {
            let (library, control) = try Simulator.fresh()
            let runtime = try AXCLRuntime(library: library)
            let device = try await AXCLDevice.open(runtime, id: try runtime.devices()[0])
            if engine { try await device.initializeEngine() }
            return Setup(library: library, control: control, runtime: runtime, device: device, directory: try TemporaryDirectory())
        }

        func name(of error: any Error) -> String { (error as? AXCLError)?.code.name ?? "\(error)" }

        @Test func callsFromAThreadWithoutAContextFailWithNoBindContext() async throws {
            let s = try await setup()
            let symbols = s.library.symbols
            let codes = onFreshThread { () -> [Int32] in
                var pointer: UnsafeMutableRawPointer?
                var id: UInt64 = 0
                return [
                    symbols.axclrtMalloc(&pointer, 64, AXCL_MEM_MALLOC_HUGE_FIRST),
                    symbols.axclrtEngineLoadFromFile("/nonexistent", &id),
                    symbols.axclrtEngineExecute(1, 1, 0, UnsafeMutableRawPointer(bitPattern: 0x10)),
                    symbols.axclrtMemset(UnsafeMutableRawPointer(bitPattern: 0x10), 0, 4),
                ]
            }
            #expect(codes.map { AXCLErrorCode($0).name } == Array(repeating: "CONTEXT_NO_BIND_CONTEXT", count: 4))
            // After binding the device's context, the same thread may call.
            let deviceID = s.device.id.rawValue
            let recovered = onFreshThread { () -> Int32 in
                var context: axclrtContext?
                var pointer: UnsafeMutableRawPointer?
                let created = symbols.axclrtCreateContext(&context, deviceID)
                guard created == 0 else { return created }
                let result = symbols.axclrtMalloc(&pointer, 64, AXCL_MEM_MALLOC_HUGE_FIRST)
                _ = symbols.axclrtFree(pointer)
                _ = symbols.axclrtDestroyContext(context)
                return result
            }
            #expect(recovered == 0)
            try await s.device.close()
        }

        @Test func executeWithAnUnknownModelOrContextIsAnIllegalParameter() async throws {
            let s = try await setup()
            let codes = await s.device.withSymbols { symbols in
                [symbols.axclrtEngineExecute(0, 1, 0, UnsafeMutableRawPointer(bitPattern: 0x10)),
                 symbols.axclrtEngineExecute(42, 1, 0, UnsafeMutableRawPointer(bitPattern: 0x10)),
                 symbols.axclrtEngineExecute(1, 0, 0, UnsafeMutableRawPointer(bitPattern: 0x10)),
                 symbols.axclrtEngineExecute(1, 1, 0, nil)]
            }
            #expect(codes.map { AXCLErrorCode($0).name } == [
                "ENGINE_ILLEGAL_PARAM", "ENGINE_ILLEGAL_PARAM", "ENGINE_ILLEGAL_PARAM", "ENGINE_NULL_POINTER",
            ])
            try await s.device.close()
        }

        @Test func ioIndexOrGroupOutOfRangeIsAnInvalidIndex() async throws {
            let s = try await setup()
            try TinyLayer().writer().write(to: s.directory.file("layer.axmodel"))
            let model = try await s.device.loadModel(path: s.directory.file("layer.axmodel").path)
            let context = try await s.device.createContext(for: model)
            let info = try await s.device.ioInfo(for: model)
            let io = try await s.device.createIO(info)
            let buffer = try await s.device.allocate(byteCount: 4096)
            await #expect { try await s.device.bindInput(io, index: 5, to: buffer) } throws: { name(of: $0) == "ENGINE_INVALID_INDEX" }
            await #expect { try await s.device.bindOutput(io, index: 3, to: buffer) } throws: { name(of: $0) == "ENGINE_INVALID_INDEX" }
            await #expect { try await s.device.execute(model, context: context, group: 3, io: io) } throws: {
                name(of: $0) == "ENGINE_INVALID_INDEX"
            }
            // Unbound inputs are refused at execute, not silently read.
            await #expect { try await s.device.execute(model, context: context, group: 0, io: io) } throws: {
                name(of: $0) == "ENGINE_ILLEGAL_PARAM"
            }
            try await s.device.free(buffer)
            try await s.device.destroy(io)
            try await s.device.destroy(info)
            try await s.device.unload(model)
            try await s.device.close()
        }

        @Test func memcpyWhoseKindDoesNotMatchThePointersIsRefused() async throws {
            let s = try await setup(engine: false)
            let buffer = try await s.device.allocate(byteCount: 256)
            let host = try await s.device.allocateHost(byteCount: 256)
            let hostAddress = UInt(bitPattern: host.pointer), deviceAddress = buffer.address.rawValue
            // Host memory where device memory is expected.
            await #expect { try await s.device.copy(to: hostAddress, from: hostAddress, byteCount: 16, kind: .hostToDevice) } throws: {
                name(of: $0) == "MEMORY_NOT_DEVICE_MEMORY"
            }
            await #expect { try await s.device.copy(to: hostAddress, from: hostAddress, byteCount: 16, kind: .deviceToHost) } throws: {
                name(of: $0) == "MEMORY_NOT_DEVICE_MEMORY"
            }
            // Device memory where host memory is expected.
            await #expect { try await s.device.copy(to: deviceAddress, from: deviceAddress, byteCount: 16, kind: .hostToDevice) } throws: {
                name(of: $0) == "MEMORY_ILLEGAL_PARAM"
            }
            // A copy running past the end of the allocation.
            await #expect { try await s.device.copy(to: deviceAddress + 200, from: hostAddress, byteCount: 100, kind: .hostToDevice) } throws: {
                name(of: $0) == "MEMORY_NOT_DEVICE_MEMORY"
            }
            // Offsets inside an allocation are valid (axera.md §1.6).
            try await s.device.write([UInt16](repeating: 0xABCD, count: 4), to: buffer.address(at: 64))
            try await s.device.copy(buffer.address(at: 64), to: buffer.address(at: 128), byteCount: 8)
            #expect(try await s.device.read(UInt16.self, count: 4, from: buffer.address(at: 128)) == [0xABCD, 0xABCD, 0xABCD, 0xABCD])
            try await s.device.free(host)
            try await s.device.free(buffer)
            try await s.device.close()
        }

        @Test func allocatingBeyondTheCMMBudgetFailsWithNoMemory() async throws {
            let s = try await setup(engine: false)
            s.control.setCMMBudget(mebibytes: 8)
            let first = try await s.device.allocate(byteCount: 6 << 20)
            await #expect { _ = try await s.device.allocate(byteCount: 4 << 20) } throws: { error in
                name(of: error) == "MEMORY_NO_MEMORY" && (error as? AXCLError)?.kind == .outOfMemory
            }
            let properties = try await s.device.properties()
            #expect(properties.cmmTotalKiB == 8 * 1024)
            #expect(properties.cmmFreeKiB == 2 * 1024)
            try await s.device.free(first)
            #expect(try await s.device.properties().cmmFreeKiB == 8 * 1024)
            try await s.device.close()
        }

        @Test func loadingPastTheInjectedExhaustionFailsAndLeavesEarlierModelsLoaded() async throws {
            let s = try await setup()
            try TinyPost().writer().write(to: s.directory.file("post.axmodel"))
            s.control.setCMMExhausted(atLoad: 2)
            let path = s.directory.file("post.axmodel").path
            let first = try await s.device.loadModel(path: path)
            await #expect { _ = try await s.device.loadModel(path: path) } throws: { name(of: $0) == "ENGINE_NO_MEMORY" }
            try await s.device.unload(first)
            try await s.device.close()
            #expect(s.control.stats.leakedAtReset == 0)
        }

        @Test func aSecondAxclInitIsRefusedButTheBindingInitialisesOnce() throws {
            let (library, _) = try Simulator.fresh()
            _ = try AXCLRuntime(library: library)
            _ = try AXCLRuntime(library: library) // shares the first initialisation
            #expect(library.symbols.axclInit(nil) != 0)
            try library.finalize()
        }

        @Test func deviceIdsAreListEntriesNotIndices() async throws {
            let (library, _) = try Simulator.fresh()
            let runtime = try AXCLRuntime(library: library)
            let listed = try runtime.devices()
            #expect(!listed.contains(DeviceID(0)))
            await #expect { _ = try await AXCLDevice.open(runtime, id: DeviceID(0)) } throws: { error in
                if case AXCLUsageError.deviceNotListed = error { return true } else { return false }
            }
            #expect(library.symbols.axclrtSetDevice(0) == Int32(bitPattern: 0x8030_0184))
            try runtime.finalize()
        }

        @Test func unknownModelFilesAreRejectedWithoutLoading() async throws {
            let s = try await setup()
            let path = s.directory.file("not-a-model.axmodel")
            try Data("definitely not a model".utf8).write(to: path)
            await #expect { _ = try await s.device.loadModel(path: path.path) } throws: { name(of: $0) == "ENGINE_ILLEGAL_PARAM" }
            await #expect { _ = try await s.device.loadModel(path: s.directory.file("missing").path) } throws: { name(of: $0) == "ENGINE_OPEN" }
            #expect(s.control.stats.models == 0)
            try await s.device.close()
        }
    }
}
