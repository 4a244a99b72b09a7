/// The device under an engine cannot take work now (recovering, wedged, failed). The server
/// answers 503 with `reason`; a configured fallback model may answer instead.
public struct EngineUnavailableError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

extension InferenceEngine {
    /// What the `X-Axllama-Engine` response header says served a request: `cpu` unless the
    /// engine says otherwise.
    public var servedByName: String { (self as? any NamedEngine)?.engineName ?? "cpu" }
}

/// An engine that names the kind of device it runs on (`npu`), for the response header and logs.
public protocol NamedEngine {
    var engineName: String { get }
}

/// An engine that may start with positions already cached (a prompt prefix restored from disk):
/// the session above adopts them so that its first request reuses them.
public protocol PrefixRestoringEngine {
    func restoredPrefix() async -> [TokenID]
}
