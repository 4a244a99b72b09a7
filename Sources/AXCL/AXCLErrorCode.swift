import CAXCL

/// A decoded `axclError` value: `0x80000000 | module << 24 | 0x30 << 16 | subModule << 8 | id`
/// for runtime codes; anything without the AXCL marker byte is passed through from the card's
/// native SDK (axera.md §1.2).
public struct AXCLErrorCode: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(_ value: axclError) { rawValue = UInt32(bitPattern: value) }
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public var isSuccess: Bool { rawValue == 0 }
    /// False for codes the runtime passes through from the card's native SDK.
    public var isRuntimeCode: Bool { (rawValue >> 16) & 0xFF == UInt32(AXCL_ID_AXCL) }
    public var module: UInt8 { UInt8((rawValue >> 24) & 0x7F) }
    public var subModule: UInt8 { UInt8((rawValue >> 8) & 0xFF) }
    public var id: UInt8 { UInt8(rawValue & 0xFF) }

    public var moduleName: String {
        switch module {
        case 0: return "RUNTIME"
        case 1: return "NATIVE"
        case 2: return "LITE"
        default: return "MODULE_\(module)"
        }
    }

    public var subModuleName: String {
        let names: [UInt8: String] = [
            0x01: "DEVICE", 0x02: "CONTEXT", 0x03: "STREAM", 0x04: "TASK", 0x05: "MEMORY", 0x06: "CONFIG",
            0x07: "ENGINE", 0x08: "SYSLOG", 0x09: "SYSCTRL", 0x0A: "LATENCY", 0x0B: "P2P", 0x0C: "USRWORK",
        ]
        return names[subModule] ?? "SUB_\(String(subModule, radix: 16, uppercase: true))"
    }

    /// The id's name: generic ids are shared by all sub-modules, ids from 0x80 are specific.
    public var idName: String {
        let generic: [UInt8: String] = [
            0x01: "FAIL", 0x02: "NULL_POINTER", 0x03: "ILLEGAL_PARAM", 0x04: "UNSUPPORT", 0x05: "TIMEOUT",
            0x06: "BUSY", 0x07: "NO_MEMORY", 0x08: "ENCODE", 0x09: "DECODE", 0x0A: "UNEXPECT_RESPONSE",
            0x0B: "OPEN", 0x0C: "EXECUTE_FAIL",
        ]
        if let name = generic[id] { return name }
        let specific: [UInt16: String] = [
            0x0180: "QUERY_DEVICE", 0x0181: "NO_CONNECT", 0x0182: "PROBE", 0x0183: "NOT_ACTIVE",
            0x0184: "INVALID_ID", 0x0185: "NO_ACTIVE_DEVICE", 0x0186: "PORT_ALLOCATE", 0x0187: "REBOOT",
            0x0281: "CREATE", 0x0282: "DESTROY", 0x0283: "BIND_THREAD", 0x0284: "NO_BIND_CONTEXT",
            0x0381: "CREATE", 0x0382: "DESTROY", 0x0383: "SYNC_TIMEOUT",
            0x0581: "NOT_DEVICE_MEMORY",
            0x0781: "INVALID_INDEX",
        ]
        return specific[UInt16(subModule) << 8 | UInt16(id)] ?? "0x\(String(id, radix: 16, uppercase: true))"
    }

    /// The vendor's macro name without the `AXCL_ERR_` prefix, e.g. `ENGINE_EXECUTE_FAIL`.
    public var name: String {
        if isSuccess { return "SUCC" }
        guard isRuntimeCode else { return "NATIVE_PASSTHROUGH" }
        let prefix = module == 0 ? "" : "\(moduleName)_"
        return "\(prefix)\(subModuleName)_\(idName)"
    }

    public var hex: String {
        let digits = String(rawValue, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// e.g. `ENGINE_EXECUTE_FAIL 0x8030070C`
    public var description: String { "\(name) \(hex)" }

    /// How a caller should react (axera.md §7.9).
    public var kind: AXCLErrorKind {
        guard isRuntimeCode else { return .deviceFault } // the card's own SDK failed
        switch (subModule, id) {
        case (0x01, 0x81), (0x01, 0x82), (0x01, 0x83), (0x01, 0x87), (0x01, 0x0B), (0x01, 0x80): return .deviceLost
        case (0x02, 0x84), (0x02, 0x83), (0x01, 0x85): return .noContext
        case (0x03, 0x83): return .timeout
        case (_, 0x0C): return .deviceFault
        case (_, 0x08), (_, 0x09), (_, 0x0A): return .transport
        case (_, 0x05): return .timeout
        case (_, 0x07): return .outOfMemory
        case (_, 0x02), (_, 0x03), (0x01, 0x84), (0x05, 0x81), (0x07, 0x81): return .badParameter
        case (_, 0x04): return .unsupported
        case (_, 0x06): return .busy
        default: return .unknown
        }
    }
}

/// The classes of AXCL failures that call for different reactions.
public enum AXCLErrorKind: String, Sendable {
    /// The card is gone or not answering: stop submitting work and recover it.
    case deviceLost = "device lost"
    /// The card failed to run the request (e.g. ENGINE_EXECUTE_FAIL): treat the device as unhealthy.
    case deviceFault = "device fault"
    /// A PCIe message could not be encoded, decoded or was unexpected.
    case transport = "transport failure"
    case timeout
    case outOfMemory = "out of memory"
    /// The caller passed something the runtime rejects: a bug on the host side.
    case badParameter = "bad parameter"
    /// The calling thread has no current context: a threading bug on the host side.
    case noContext = "no context on this thread"
    case unsupported
    case busy
    case unknown

    /// Whether the device should be considered unhealthy and recovered (axera.md §7.9).
    public var marksDeviceUnhealthy: Bool {
        switch self {
        case .deviceLost, .deviceFault, .transport, .timeout: return true
        default: return false
        }
    }
}
