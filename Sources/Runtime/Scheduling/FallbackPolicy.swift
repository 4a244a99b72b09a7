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
        /// The requested model answers (its engine is healthy).
        case requested
        /// The fallback model answers; `reason` says why, for the log.
        case fallback(model: String, reason: String)
        /// The requested model's device is down and no fallback can answer: the request is
        /// refused at once (503 with `reason`) instead of waiting on a device that may never
        /// answer (a wedged card's thread is stuck in the hung call).
        case unavailable(reason: String)
    }

    /// - Parameters:
    ///   - requested: the full name of the requested model (the fallback never replaces itself).
    ///   - isFallback: tells whether a name is the fallback model's (names have several spellings).
    ///   - displayName: how the reason names the model (default: `requested`).
    public func route(requested: String, health: EngineHealth, isFallback: (String) -> Bool, displayName: String? = nil) -> Route {
        switch health.state {
        case .ready, .degraded: return .requested
        case .recovering, .failed:
            let name = displayName ?? requested
            let reason = "\(name) cannot run now: " + (health.detail ?? "its device is \(health.state.rawValue)")
            guard let model, !isFallback(requested) else { return .unavailable(reason: reason) }
            return .fallback(model: model, reason: reason)
        }
    }
}
