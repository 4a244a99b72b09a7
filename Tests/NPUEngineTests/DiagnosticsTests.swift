import AXCL
import AXCLSimulatorSupport
import Foundation
import NPUEngine
import TestSupport
import Testing

extension SimulatorBackedTests {
    /// `axllama doctor`'s checks against the simulated card and a converted package.
    @Suite(.enabled(if: Simulator.isAvailable)) struct Diagnostics {
        @Test func reportCoversRuntimeDevicesShapeGroupsGenerationAndPrefillCheck() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.runScript, in: directory)
            let (library, _) = try Simulator.fresh()
            let (healthy, text) = await Self.report(NPUDiagnostics(library: library, package: package.directory))
            #expect(healthy, "\(text)")
            #expect(text.contains("== AXCL runtime"))
            #expect(text.contains("device 129: firmware"))
            #expect(text.contains("layout: runScript, 2 layers"))
            #expect(text.contains("-- layer 1 (llama_p128_l1_together.axmodel): 5 shape group(s)"))
            #expect(text.contains("in mask [1, 128, 512] bf16"))
            #expect(text.contains("-- post model: 1 shape group(s)"))
            #expect(text.contains("last layer K/V: 0 of"))
            #expect(text.contains("next token agrees"))
            #expect(!text.contains("FAIL"))
        }

        /// Settings with every listed card of a fresh simulator of `count` cards configured.
        static func cards(_ count: UInt32, control: SimulatorControl, library: AXCLLibrary) throws -> CardSupervisionSettings {
            control.setDeviceCount(count)
            return CardSupervisionSettings(deviceIDs: try AXCLRuntime(library: library).devices(), telemetryInterval: 3600, engineTimeout: 10)
        }

        /// The report of a short run: whether every check passed, and its text.
        static func report(_ diagnostics: NPUDiagnostics, prompt: String = "bcdefghij", tokens: Int = 4) async -> (healthy: Bool, text: String) {
            var diagnostics = diagnostics
            diagnostics.prompt = prompt
            diagnostics.generatedTokens = tokens
            let lines = LineCollector()
            let healthy = await diagnostics.run { lines.append($0) }
            return (healthy, lines.text)
        }

        static func occurrences(of part: String, in text: String) -> Int { text.components(separatedBy: part).count - 1 }

        @Test func everyConfiguredCardIsCheckedAndRunsThePackageInTurn() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            let (library, control) = try Simulator.fresh()
            let (healthy, text) = await Self.report(NPUDiagnostics(library: library, settings: try Self.cards(2, control: control, library: library),
                                                                   package: package.directory))
            #expect(healthy, "\(text)")
            for id in [129, 130] {
                #expect(text.contains("device \(id): firmware"))
                #expect(text.contains("device \(id): opened, engine initialised"))
                #expect(text.contains("== On axcl:\(id)"))
            }
            #expect(Self.occurrences(of: "-- post model", in: text) == 1, "the IO tables once")
            #expect(Self.occurrences(of: "next token agrees", in: text) == 2)
            #expect(text.contains("same tokens as on axcl:129"))
            for id in [129, 130] { #expect(control.deviceStats(Int32(id)).models == 0, "everything unloaded") }
        }

        /// One configured id the runtime does not list and one card gone off the bus: both fail
        /// their checks, the card that works is still checked and runs the package, and the
        /// report as a whole fails.
        @Test func cardsThatFailTheirChecksAreReportedAndTheOthersStillChecked() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            let (library, control) = try Simulator.fresh()
            var settings = try Self.cards(2, control: control, library: library)
            settings.deviceIDs.append(DeviceID(7))
            control.setDeviceOffline(settings.deviceIDs[0].rawValue)
            let (healthy, text) = await Self.report(NPUDiagnostics(library: library, settings: settings, package: package.directory))
            #expect(!healthy)
            #expect(text.contains("FAIL properties of device 129"), "\(text)")
            #expect(text.contains("FAIL device 7 is configured but the runtime does not list it"), "\(text)")
            #expect(!text.contains("== On axcl:129"))
            #expect(text.contains("== On axcl:130") && text.contains("next token agrees"), "\(text)")
        }

        /// Two cards each smaller than the default model's weights: neither holds it whole, so it is
        /// split across both as serve places it, and checked that way.
        @Test(.enabled(if: TestModels.hasDefaultModel))
        func packageNoCardHoldsIsSplitAcrossTheCardsAsServePlacesIt() async throws {
            let directory = try TemporaryDirectory()
            let converted = try #require(try DefaultModelPackage.convert(in: directory))
            let (library, control) = try Simulator.fresh()
            let settings = try Self.cards(2, control: control, library: library)
            control.setCMMBudget(mebibytes: converted.weightMebibytes)
            let (healthy, text) = await Self.report(NPUDiagnostics(library: library, settings: settings, options: NPUEngineOptions(cmmFloorMiB: 1),
                                                                   package: converted.package.directory),
                                                    prompt: "The capital of France is", tokens: 3)
            #expect(healthy, "\(text)")
            #expect(text.contains("axcl:129 cannot hold it whole") && text.contains("axcl:130 cannot hold it whole"), "\(text)")
            #expect(text.contains("== Split across axcl:129, axcl:130"))
            #expect(text.contains("placed as axcl:129 layers 0-") && text.contains(", axcl:130 layers "), "\(text)")
            #expect(text.contains("next token agrees"))
        }

        @Test func missingDevicesAreReportedAsAFailure() async throws {
            let (library, control) = try Simulator.fresh()
            control.setDeviceCount(0)
            let lines = LineCollector()
            let healthy = await NPUDiagnostics(library: library).run { lines.append($0) }
            #expect(!healthy)
            #expect(lines.text.contains("FAIL the AXCL runtime lists no devices"))
        }
    }
}

final class LineCollector: @unchecked Sendable {
    private var lines: [String] = []
    private let lock = NSLock()
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}
