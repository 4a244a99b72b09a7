#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The DNS-rebinding guard Ollama applies when it listens on loopback: the `Host` header must
/// name this machine (ollama `allowedHostsMiddleware`).
struct HostPolicy: Sendable {
    let enabled: Bool
    let machineName: String

    init(enabled: Bool) {
        self.enabled = enabled
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        machineName = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).lowercased()
    }

    func allows(_ hostHeader: String?) -> Bool {
        guard enabled, let header = hostHeader, !header.isEmpty else { return true }
        let host = Self.stripPort(header).lowercased()
        if host == "localhost" || host == machineName { return true }
        if host.hasSuffix(".localhost") || host.hasSuffix(".local") || host.hasSuffix(".internal") { return true }
        return Self.isLocalAddress(host)
    }

    static func stripPort(_ header: String) -> String {
        if header.hasPrefix("["), let close = header.firstIndex(of: "]") {
            return String(header[header.index(after: header.startIndex) ..< close])
        }
        if header.filter({ $0 == ":" }).count == 1, let colon = header.firstIndex(of: ":") { return String(header[..<colon]) }
        return header
    }

    /// Loopback, private or unspecified IPv4/IPv6 addresses.
    static func isLocalAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            let a = UInt32(bigEndian: v4.s_addr)
            let first = a >> 24, second = (a >> 16) & 0xFF
            return first == 127 || first == 10 || a == 0 || (first == 172 && (16 ... 31).contains(second)) || (first == 192 && second == 168)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            let isUnspecified = bytes.allSatisfy { $0 == 0 }
            let isLoopback = bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1
            let isUniqueLocal = bytes[0] & 0xFE == 0xFC
            return isUnspecified || isLoopback || isUniqueLocal
        }
        return false
    }
}
