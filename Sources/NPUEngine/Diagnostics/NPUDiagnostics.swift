import AXCL
import Foundation
import Tokenizer

/// The checks of `axllama doctor` (issue 6 item 8): the runtime library and its version, the
/// cards and their telemetry, and for a model package its shape groups and IO tables, a short
/// greedy generation, and chunked prefill compared with token-by-token prefill on the card.
/// Each line goes to `report` as it is known, so a hang still leaves a useful report.
public struct NPUDiagnostics: Sendable {
    public var library: AXCLLibrary
    public var deviceID: DeviceID?
    public var package: URL?
    public var prompt = "Explain in one sentence what a neural processing unit does."
    public var generatedTokens = 16

    public init(library: AXCLLibrary, deviceID: DeviceID? = nil, package: URL? = nil) {
        self.library = library
        self.deviceID = deviceID
        self.package = package
    }

    /// Runs every check; returns false when one failed (each failure is reported as `FAIL`).
    public func run(report: (String) -> Void) async -> Bool {
        var healthy = true
        func fail(_ text: String) {
            healthy = false
            report("FAIL " + text)
        }
        report("== AXCL runtime")
        report("library: \(library.path)")
        let symbols = library.symbols
        let optional: [(String, Bool)] = [
            ("axclrtRebootDevice", symbols.axclrtRebootDevice != nil),
            ("axclrtEngineGetUsageFromModelId", symbols.axclrtEngineGetUsageFromModelId != nil),
            ("axclrtEngineExecuteAsync", symbols.axclrtEngineExecuteAsync != nil),
        ]
        report("optional symbols: " + optional.map { "\($0.0) \($0.1 ? "present" : "absent")" }.joined(separator: ", "))
        let runtime: AXCLRuntime
        do {
            runtime = try AXCLRuntime(library: library)
            report("version: \(try runtime.version()), SoC: \(runtime.socName)")
        } catch {
            fail("axclInit: \(error)")
            return false
        }

        report("== Devices")
        let devices: [DeviceID]
        do {
            devices = try runtime.devices()
        } catch {
            fail("device list: \(error)")
            return false
        }
        if devices.isEmpty { fail("\(AXCLUsageError.noDevices)") }
        for id in devices {
            do {
                let p = try runtime.properties(of: id)
                report("\(id): firmware \(p.softwareVersion), PCI \(p.pciDomain):\(p.pciBus):\(p.pciDevice), "
                    + String(format: "%.1f °C, CMM %d/%d MiB used, card RAM %d/%d MiB free, CPU %.0f%%, NPU %.0f%%",
                             p.temperatureCelsius, Int(p.cmmUsedKiB / 1024), Int(p.cmmTotalKiB / 1024),
                             Int(p.memoryFreeKiB / 1024), Int(p.memoryTotalKiB / 1024), p.cpuLoadPercent, p.npuLoadPercent))
                if p.temperatureCelsius > 85 { fail("\(id) runs at \(p.temperatureCelsius) °C; the card resets at 120 °C (axera.md §1.9)") }
            } catch {
                fail("properties of \(id): \(error)")
            }
        }
        guard let package else { return healthy }
        do {
            try await checkPackage(package, report: report, fail: fail)
        } catch {
            fail("\(error)")
        }
        return healthy
    }

    private func checkPackage(_ directory: URL, report: (String) -> Void, fail: (String) -> Void) async throws {
        report("== Package \(directory.path)")
        let package = try NPUModelPackage(directory: directory)
        let m = package.manifest
        report("layout: \(package.layout.rawValue), \(m.layerCount) layers, vocabulary \(m.vocabularySize), hidden \(m.hiddenSize)")
        let device = try await NPUCard.open(library: library, deviceID: deviceID)
        let loadStart = Date()
        let engine = try await NPUEngine.load(package, on: device)
        report(String(format: "loaded in %.1f s; context %d positions", Date().timeIntervalSince(loadStart), engine.shapes.capacity))
        let tables = try await engine.ioTables()
        for (index, groups) in tables.enumerated() {
            let title = index < m.layerCount ? "layer \(index) (\(package.layerFiles[index].lastPathComponent))" : "post model"
            report("-- \(title): \(groups.count) shape group(s)")
            for group in groups {
                let io = (group.inputs.map { "in \($0.name) \($0.dimensions) \($0.dataType) \($0.byteCount) B" }
                    + group.outputs.map { "out \($0.name) \($0.dimensions) \($0.dataType) \($0.byteCount) B" })
                report("   group \(group.index): " + io.joined(separator: "; "))
            }
        }
        let shapes = engine.shapes
        report("decode group \(shapes.decodeGroup) (capacity \(shapes.capacity)); prefill groups "
            + shapes.prefillGroups.map { "\($0.index): chunk \($0.chunk) after \($0.history)" }.joined(separator: ", "))

        let tokenizer = try BPETokenizer(configuration: package.tokenizerConfiguration())
        let promptTokens = tokenizer.encode(prompt, addSpecial: true, parseSpecial: false)
        report("== Greedy generation (\(promptTokens.count) prompt tokens)")
        let started = Date()
        var logits = try await engine.forward(promptTokens, at: 0)
        let prefillSeconds = Date().timeIntervalSince(started)
        var generated: [Int32] = []
        let decodeStart = Date()
        for step in 0 ..< generatedTokens {
            let next = Int32(Self.argmax(logits.values))
            generated.append(next)
            if step + 1 < generatedTokens { logits = try await engine.forward([next], at: promptTokens.count + step) }
        }
        let decodeSeconds = Date().timeIntervalSince(decodeStart)
        report("text: " + tokenizer.decode(generated).debugDescription)
        report(String(format: "prefill %.0f ms, decode %.2f tokens/s", prefillSeconds * 1000,
                      Double(max(1, generated.count - 1)) / max(decodeSeconds, 1e-9)))
        let counters = await engine.counters()
        report(String(format: "host time per decoded token %.3f ms (execute time excluded)", counters.hostSecondsPerDecodedToken * 1000))

        report("== Chunked prefill against token-by-token prefill")
        await engine.truncateCache(to: 0)
        let chunked = try await engine.forward(promptTokens, at: 0, prefillMode: .chunked)
        let lastLayer = m.layerCount - 1
        let chunkRows = try await engine.cacheRows(layer: lastLayer, range: 0 ..< promptTokens.count)
        await engine.truncateCache(to: 0)
        let single = try await engine.forward(promptTokens, at: 0, prefillMode: .tokenByToken)
        let singleRows = try await engine.cacheRows(layer: lastLayer, range: 0 ..< promptTokens.count)
        let differing = zip(chunkRows.keys + chunkRows.values, singleRows.keys + singleRows.values).filter { $0 != $1 }.count
        let sameToken = Self.argmax(chunked.values) == Self.argmax(single.values)
        let cache = engine.shapes.cacheType
        let unit = cache == .fp32 ? "16-bit words of the fp32 cache" : "\(cache.rawValue) values"
        report("last layer K/V: \(differing) of \(chunkRows.keys.count * 2) \(unit) differ; next token "
            + (sameToken ? "agrees" : "differs"))
        if !sameToken { fail("chunked prefill and token-by-token prefill choose different next tokens: use prefill mode token-by-token for this package") }
        try await engine.unload()
        try await device.finalizeEngine()
        try await device.close()
    }

    static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return best
    }
}
