/// A failed AXCL runtime call.
public struct AXCLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: AXCLErrorCode
    /// The runtime function that returned the code.
    public let call: String

    public init(code: AXCLErrorCode, call: String) {
        self.code = code
        self.call = call
    }

    public var kind: AXCLErrorKind { code.kind }

    public var description: String { "\(call) failed: \(code) (\(code.kind.rawValue))" }
}

/// Misuse or states that the binding detects itself, without a runtime code.
public enum AXCLUsageError: Error, Sendable, Equatable, CustomStringConvertible {
    case noDevices
    case deviceNotListed(DeviceID, available: [DeviceID])
    case deviceClosed(DeviceID)
    case unexpectedNull(call: String)
    case unknownTensor(name: String, available: [String])

    public var description: String {
        switch self {
        case .noDevices:
            return "the AXCL runtime lists no devices: check that the card is seated, the driver is loaded (lsmod | grep axcl) and axcl-smi sees it"
        case let .deviceNotListed(id, available):
            return "device \(id.rawValue) is not in the runtime's device list \(available.map(\.rawValue)); device ids are list entries, not indices"
        case let .deviceClosed(id):
            return "device \(id.rawValue) was already closed"
        case let .unexpectedNull(call):
            return "\(call) reported success but returned no object"
        case let .unknownTensor(name, available):
            return "the model has no tensor named \(name); it has \(available.joined(separator: ", "))"
        }
    }
}

/// Checks a runtime return code.
@inline(__always)
func check(_ result: Int32, _ call: String) throws(AXCLError) {
    if result != 0 { throw AXCLError(code: AXCLErrorCode(result), call: call) }
}
