import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Unix datagram socket bound where `NOTIFY_SOCKET` points, as systemd's is: collects the
/// messages a notifier sends. `name` starting with '@' binds an abstract socket.
final class NotifySocketListener: @unchecked Sendable {
    let name: String
    private let descriptor: Int32

    init(name: String) throws {
        self.name = name
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes[0] == 0 ? 0 : 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(descriptor)
        if !name.hasPrefix("@") { unlink(name) }
    }

    /// Messages received until `done` says enough, or until the deadline. The blocking reads run
    /// on a Dispatch thread, never on the (small) cooperative pool the server under test needs.
    func receive(within seconds: Double, until done: @escaping @Sendable ([String]) -> Bool) async -> [String] {
        let descriptor = self.descriptor
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var messages: [String] = []
                let deadline = Date().addingTimeInterval(seconds)
                var buffer = [UInt8](repeating: 0, count: 4096)
                while Date() < deadline, !done(messages) {
                    let count = recv(descriptor, &buffer, buffer.count, 0)
                    if count > 0 { messages.append(String(decoding: buffer[..<count], as: UTF8.self)) }
                }
                continuation.resume(returning: messages)
            }
        }
    }
}
