import AXCL
import ArgumentParser
import Foundation
import NPUEngine
import Server

/// `axllama doctor`: a report for owners of the hardware to attach to a bug (issue 6 item 8).
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the AXCL runtime, the NPU cards and optionally a model package, and print a report.")

    @Option(help: "The AXCL runtime library (default: $AXLLAMA_AXCL_LIBRARY, the loader path, then /usr/lib/axcl).")
    var library: String?

    @Option(help: "Comma-separated device ids to check, as serve takes them (default: $AXLLAMA_DEVICES, else the first listed card).")
    var devices: String?

    @Option(help: "One device id to check (the same as --devices with one id).")
    var device: Int32?

    @Option(help: "An NPU model package directory to load and exercise on each card, or split across them when none holds it.")
    var package: String?

    @Option(help: "Tokens of the greedy test generation.")
    var tokens = 16

    func run() async throws {
        let loaded: AXCLLibrary
        let settings: CardSupervisionSettings
        let operations: OperationsSettings
        var environment = ProcessInfo.processInfo.environment
        if let devices { environment["AXLLAMA_DEVICES"] = devices }
        if let device { environment["AXLLAMA_DEVICES"] = "\(device)" }
        do {
            settings = try CardSupervisionSettings.fromEnvironment(environment)
            operations = try OperationsSettings(environment: environment)
            loaded = try library.map { try AXCLLibrary(path: $0) } ?? AXCLLibrary.load()
        } catch {
            print("FAIL \(error)")
            throw ExitCode.failure
        }
        // The CMM floor serve leaves free (AXLLAMA_CMM_FLOOR_MIB): a package that serve would
        // split is split here too.
        var diagnostics = NPUDiagnostics(library: loaded, settings: settings,
                                         options: NPUEngineOptions(cmmFloorMiB: operations.thresholds.cmmFloorMiB),
                                         package: package.map { URL(fileURLWithPath: $0) })
        diagnostics.generatedTokens = tokens
        diagnostics.temperatureLimitCelsius = operations.thresholds.highCelsius
        let healthy = await diagnostics.run { print($0) }
        print(healthy ? "== All checks passed" : "== Some checks failed (lines starting with FAIL)")
        if !healthy { throw ExitCode.failure }
    }
}
