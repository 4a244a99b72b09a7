import AXCL
import ArgumentParser
import Foundation
import NPUEngine

/// `axllama doctor`: a report for owners of the hardware to attach to a bug (issue 6 item 8).
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the AXCL runtime, the NPU cards and optionally a model package, and print a report.")

    @Option(help: "The AXCL runtime library (default: $AXLLAMA_AXCL_LIBRARY, the loader path, then /usr/lib/axcl).")
    var library: String?

    @Option(help: "Device id as the runtime lists it (default: the first).")
    var device: Int32?

    @Option(help: "An NPU model package directory to load and exercise.")
    var package: String?

    @Option(help: "Tokens of the greedy test generation.")
    var tokens = 16

    func run() async throws {
        let loaded: AXCLLibrary
        do {
            loaded = try library.map { try AXCLLibrary(path: $0) } ?? AXCLLibrary.load()
        } catch {
            print("FAIL \(error)")
            throw ExitCode.failure
        }
        var diagnostics = NPUDiagnostics(library: loaded, deviceID: device.map(DeviceID.init),
                                         package: package.map { URL(fileURLWithPath: $0) })
        diagnostics.generatedTokens = tokens
        let healthy = await diagnostics.run { print($0) }
        print(healthy ? "== All checks passed" : "== Some checks failed (lines starting with FAIL)")
        if !healthy { throw ExitCode.failure }
    }
}
