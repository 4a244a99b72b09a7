import Foundation
import EngineInterface

/// Which model answers a request while the device under the requested one is down
/// (AXLLAMA_FALLBACK_MODEL): a CPU model keeps an unattended installation answering while its
/// card recovers, is wedged or has failed. Decided from the engine's own health, so that
/// Runtime needs no knowledge of the device behind it.
public struct FallbackPolicy: Sendable, Equatable {
    /// The fallback model's name as the store knows it; nil disables fallback.
    public var model: String?

    public init(model: String? = nil) {
        self.model = model.flatMap { $0.isEmpty ? nil : $0 }
    }

    public static func fromEnvironment(_ environment: [String: String]) -> FallbackPolicy {
        FallbackPolicy(model: environment["AXLLAMA_FALLBACK_MODEL"]?.trimmingCharacters(in: .whitespaces))
    }

    public enum Route: Sendable, Equatable {
        /// The requested model answers (its engine is healthy, or there is nothing better).
        case requested
        /// The fallback model answers; `reason` says why, for the log.
        case fallback(model: String, reason: String)
    }

    /// - Parameters:
    ///   - requested: the full name of the requested model (the fallback never replaces itself).
    ///   - isFallback: tells whether a name is the fallback model's (names have several spellings).
    public func route(requested: String, health: EngineHealth, isFallback: (String) -> Bool) -> Route {
        guard let model, !isFallback(requested) else { return .requested }
        switch health.state {
        case .ready, .degraded: return .requested
        case .recovering, .failed:
            return .fallback(model: model, reason: "\(requested)'s device is \(health.state.rawValue)" + (health.detail.map { ": \($0)" } ?? ""))
        }
    }
}
