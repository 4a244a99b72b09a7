import AXCLSimulatorSupport
import Foundation
import NPUEngine
import Testing

extension SimulatorBackedTests {
    /// `axllama doctor`'s checks against the simulated card and a converted package.
    @Suite(.enabled(if: Simulator.isAvailable)) struct Diagnostics {
        @Test func reportCoversRuntimeDevicesShapeGroupsGenerationAndPrefillCheck() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.runScript, in: directory)
            let (library, _) = try Simulator.fresh()
            var diagnostics = NPUDiagnostics(library: library, package: package.directory)
            diagnostics.prompt = "bcdefghij"
            diagnostics.generatedTokens = 4
            let lines = LineCollector()
            let healthy = await diagnostics.run { lines.append($0) }
            let text = lines.text
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
