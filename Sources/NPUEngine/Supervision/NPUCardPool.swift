import AXCL
import EngineInterface
import Foundation

/// The cards the server uses (AXLLAMA_DEVICES, default the first listed), each under its own
/// supervisor, and the placement of models on them: one model per card, on the first card that
/// takes work and has the CMM for it. It is also the device monitor that health and metrics read.
public final class NPUCardPool: DeviceMonitor, Sendable {
    public let cards: [CardSupervisor]

    public init(cards: [CardSupervisor]) { self.cards = cards }

    /// Opens every configured card. A card that does not open is reported and left out; no card
    /// at all is an error.
    public static func open(library: AXCLLibrary, settings: CardSupervisionSettings,
                            report: @escaping @Sendable (String) -> Void = { _ in }) async throws -> NPUCardPool {
        let runtime = try AXCLRuntime(library: library)
        let listed = try runtime.devices()
        let wanted = settings.deviceIDs.isEmpty ? Array(listed.prefix(1)) : settings.deviceIDs
        guard !wanted.isEmpty else { throw AXCLUsageError.noDevices }
        var cards: [CardSupervisor] = []
        var failures: [String] = []
        for id in wanted {
            do {
                cards.append(try await CardSupervisor.open(library: library, deviceID: id, settings: settings, report: report))
            } catch {
                failures.append("device \(id.rawValue): \(error)")
                report("NPU device \(id.rawValue) is not used: \(error)")
            }
        }
        guard !cards.isEmpty else { throw NPUEngineError.deviceUnavailable("no configured card opened (\(failures.joined(separator: "; ")))") }
        return NPUCardPool(cards: cards)
    }

    public func deviceStatuses() async -> [DeviceStatus] { cards.map(\.status) }

    /// Loads `package` on the first card that accepts work and has room for its weights plus
    /// the CMM floor; a card whose load runs out of CMM is skipped for the next one.
    public func place(_ package: NPUModelPackage, options: NPUEngineOptions = NPUEngineOptions()) async throws -> NPUEngine {
        let neededKiB = Self.weightBytes(package) / 1024 + options.cmmFloorMiB * 1024
        var reasons: [String] = []
        for card in cards {
            let name = card.status.name
            guard card.health.acceptsWork else {
                reasons.append("\(name) is \(card.status.state.rawValue)")
                continue
            }
            if let free = try? await card.device.properties().cmmFreeKiB, Int(free) < neededKiB {
                reasons.append("\(name) has \(free / 1024) MiB CMM free, the model needs about \(neededKiB / 1024) MiB")
                continue
            }
            do {
                return try await card.loadEngine(package, options: options)
            } catch let error as NPUEngineError {
                guard case .insufficientCMM = error else { throw error }
                reasons.append("\(name): \(error)")
            }
        }
        throw NPUEngineError.deviceUnavailable("no card can take \(package.manifest.modelName): \(reasons.joined(separator: "; "))")
    }

    static func weightBytes(_ package: NPUModelPackage) -> Int {
        (package.layerFiles + [package.postModelFile]).reduce(0) { total, url in
            total + (((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0)
        }
    }
}
