import AXCL
import Foundation

/// The checks of `axllama doctor` (issue 6 item 8): the runtime library and its version, each
/// configured card (listed, firmware, CMM, temperature, opened), and for a model package its
/// shape groups and IO tables, a short greedy generation, and chunked prefill compared with
/// token-by-token prefill — on each card in turn, or split across the cards as `serve` would
/// place it when no card holds it whole. A card that fails a check is reported and the others are
/// still checked. Each line goes to `report` as it is known, so a hang still leaves a useful report.
public struct NPUDiagnostics: Sendable {
    public var library: AXCLLibrary
    /// The cards as `serve` takes them (`deviceIDs` empty: the first listed) and the watchdog
    /// limit of one engine call. Faults are reported, never recovered: no card is rebooted.
    public var settings: CardSupervisionSettings
    /// The CMM floor a load must leave free, as `serve` applies it.
    public var options: NPUEngineOptions
    public var package: URL?
    public var prompt = "Explain in one sentence what a neural processing unit does."
    public var generatedTokens = 16
    /// Above this a card fails its check (serve's AXLLAMA_TEMP_HIGH); it resets at 120 °C (axera.md §1.9).
    public var temperatureLimitCelsius = 85.0

    public init(library: AXCLLibrary, settings: CardSupervisionSettings = CardSupervisionSettings(),
                options: NPUEngineOptions = NPUEngineOptions(), package: URL? = nil) {
        self.library = library
        self.settings = settings
        self.options = options
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
        let listed: [DeviceID]
        do {
            listed = try runtime.devices()
        } catch {
            fail("device list: \(error)")
            return false
        }
        if listed.isEmpty { fail("\(AXCLUsageError.noDevices)") }
        report("listed: " + (listed.isEmpty ? "none" : listed.map { "\($0.rawValue)" }.joined(separator: ", ")))
        let configured = settings.deviceIDs.isEmpty ? Array(listed.prefix(1)) : settings.deviceIDs
        var cards: [CardSupervisor] = []
        for id in configured {
            if let card = await checkCard(id, listed: listed, report: report, fail: fail) { cards.append(card) }
        }
        for id in listed where !configured.contains(id) {
            report("\(id): listed, not configured (AXLLAMA_DEVICES or --devices), not checked")
        }
        if let package {
            if cards.isEmpty, !configured.isEmpty {
                fail("no configured card passed its checks: the package \(package.path) was not loaded")
            } else if !cards.isEmpty {
                do {
                    try await checkPackage(package, on: cards, report: report, fail: fail)
                } catch {
                    fail("\(error)")
                }
            }
        }
        let pool = NPUCardPool(cards: cards)
        for problem in await pool.release(timeout: .seconds(settings.engineTimeout + 5)) { fail(problem) }
        return healthy
    }

    /// One configured card: in the device list, its properties (firmware, CMM, temperature)
    /// within bounds, and opened with its engine initialised. The opened card when every check
    /// passed, nil otherwise.
    private func checkCard(_ id: DeviceID, listed: [DeviceID], report: (String) -> Void, fail: (String) -> Void) async -> CardSupervisor? {
        guard listed.contains(id) else {
            fail("\(id) is configured but the runtime does not list it; check the id (AXLLAMA_DEVICES, --devices) "
                + "against axcl-smi and the list above, and that the card is seated and its driver loaded")
            return nil
        }
        do {
            let p = try AXCLRuntime(library: library).properties(of: id)
            report("\(id): firmware \(p.softwareVersion), PCI \(p.pciDomain):\(p.pciBus):\(p.pciDevice), "
                + String(format: "%.1f °C, CMM %d/%d MiB used, card RAM %d/%d MiB free, CPU %.0f%%, NPU %.0f%%",
                         p.temperatureCelsius, Int(p.cmmUsedKiB / 1024), Int(p.cmmTotalKiB / 1024),
                         Int(p.memoryFreeKiB / 1024), Int(p.memoryTotalKiB / 1024), p.cpuLoadPercent, p.npuLoadPercent))
            if p.temperatureCelsius > temperatureLimitCelsius {
                fail("\(id) runs at \(p.temperatureCelsius) °C; the card resets at 120 °C (axera.md §1.9): cool it before use")
                return nil
            }
        } catch {
            fail("properties of \(id): \(error)")
            return nil
        }
        var settings = self.settings
        settings.recoveryAttempts = 0
        do {
            let card = try await CardSupervisor.open(library: library, deviceID: id, settings: settings)
            report("\(id): opened, engine initialised")
            return card
        } catch {
            fail("\(id) does not open (axclrtSetDevice, axclrtEngineInit): \(error)")
            return nil
        }
    }
}
