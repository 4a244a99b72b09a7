#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// systemd's notify protocol without libsystemd: one Unix datagram per message, sent to the
/// socket named by `NOTIFY_SOCKET` (a path, or an abstract name written with a leading `@`).
/// Outside systemd (`NOTIFY_SOCKET` unset) every call does nothing.
public struct SystemdNotifier: Sendable {
    /// The socket address as given; nil when not started by systemd with `Type=notify`.
    public let socketPath: String?
    /// Half of `WATCHDOG_USEC`, when systemd expects watchdog pings from this process.
    public let watchdogInterval: Duration?

    public init(environment: [String: String]) {
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        socketPath = path
        // WATCHDOG_PID, when present, names the process the pings are expected from (sd_watchdog_enabled).
        let forUs = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        if path != nil, forUs, let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 {
            watchdogInterval = .microseconds(Int64(usec / 2))
        } else {
            watchdogInterval = nil
        }
    }

    public var isEnabled: Bool { socketPath != nil }

    public enum NotifyError: Error, CustomStringConvertible {
        case badAddress(String)
        case system(call: String, errno: Int32)

        public var description: String {
            switch self {
            case let .badAddress(path): return "NOTIFY_SOCKET=\(path) is not a usable Unix socket address (too long or empty)"
            case let .system(call, code): return "systemd notification failed: \(call): \(String(cString: strerror(code)))"
            }
        }
    }

    /// Never block on a receiver that does not read (a message is dropped instead, with an
    /// error), and never die of SIGPIPE.
    #if canImport(Glibc)
    static let sendFlags = Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL)
    #else
    static let sendFlags = Int32(MSG_DONTWAIT)
    #endif

    /// Sends `message` (newline-separated `KEY=value` assignments) in one datagram.
    public func notify(_ message: String) throws {
        guard let socketPath else { return }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        // An abstract socket's name starts with a NUL byte instead of '@' (unix(7)).
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !pathBytes.isEmpty, pathBytes.count < capacity else { throw NotifyError.badAddress(socketPath) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes[0] == 0 ? 0 : 1))

        #if canImport(Glibc)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let descriptor = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard descriptor >= 0 else { throw NotifyError.system(call: "socket", errno: errno) }
        defer { close(descriptor) }
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { sendto(descriptor, $0.baseAddress, bytes.count, Self.sendFlags, socketAddress, length) }
            }
        }
        guard sent >= 0 else { throw NotifyError.system(call: "sendto", errno: errno) }
    }
}
