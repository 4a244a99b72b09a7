import AXCL
import AXCLSimulatorSupport
import Foundation
import Testing

@Suite struct LibraryLoadingTests {
    @Test func overridePathThatDoesNotExistIsReportedWithTheFix() throws {
        let path = "/nonexistent/axcl/libaxcl_rt.so"
        #expect {
            _ = try AXCLLibrary.load(environment: [AXCLLibrary.pathVariable: path])
        } throws: { error in
            guard case let AXCLLibraryError.notFound(attempts) = error else { return false }
            let message = (error as! AXCLLibraryError).description
            // An explicit override is the only place looked at.
            return attempts.map(\.location) == [path] && message.contains("axclhost") && message.contains(AXCLLibrary.pathVariable)
        }
    }

    @Test func libraryWithoutTheRuntimeSymbolsListsEveryMissingOne() throws {
        // libc is a real shared library that exports none of the runtime's symbols.
        let libc = try #require(["/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/usr/lib/libc.so.6"]
            .first { FileManager.default.fileExists(atPath: $0) })
        #expect {
            _ = try AXCLLibrary(path: libc)
        } throws: { error in
            guard case let AXCLLibraryError.missingSymbols(path, names) = error else { return false }
            return path == libc && names == AXCLSymbols.requiredNames
                && (error as! AXCLLibraryError).description.contains("axclrtEngineExecute")
        }
    }

    @Test(.enabled(if: Simulator.isAvailable)) func overrideVariableLoadsTheSimulator() throws {
        let path = try #require(Simulator.libraryPath)
        let library = try AXCLLibrary.load(environment: [AXCLLibrary.pathVariable: path])
        #expect(library.path == path)
    }

    @Test(.enabled(if: Simulator.isAvailable)) func optionalSymbolsAreProbedNotRequired() throws {
        let library = try AXCLLibrary(path: try #require(Simulator.libraryPath))
        let available = library.symbols.availableOptionalNames
        // V3.10.2 exports the reboot; the simulator also offers the status callback (M5Stack's 3.6.5)
        // and error strings (the newer generation), which the binding only probes (axera.md §1.3, §1.4, §7).
        #expect(available.contains("axclrtRebootDevice"))
        #expect(available.contains("axclrtEngineExecuteAsync"))
        #expect(available.contains("axclrtRegisterDeviceStatusCallback"))
        #expect(available.contains("axclrtGetErrorString"))
        #expect(!available.contains("axclrtGetLastError"))
    }
}
