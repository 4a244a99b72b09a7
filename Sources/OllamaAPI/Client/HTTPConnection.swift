import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a request to the server failed below HTTP.
public enum HTTPTransportError: Error, Equatable, CustomStringConvertible {
    case cannotResolve(host: String)
    case cannotConnect(host: String, port: Int, reason: String)
    case connectionClosed
    case malformedResponse(String)

    public var description: String {
        switch self {
        case let .cannotResolve(host): return "cannot resolve host '\(host)'"
        case let .cannotConnect(host, port, reason):
            return "could not connect to the server at \(host):\(port) (\(reason)); is `axllama serve` running? Set OLLAMA_HOST if it listens elsewhere"
        case .connectionClosed: return "the server closed the connection before the answer was complete"
        case let .malformedResponse(detail): return "the server sent a malformed HTTP response: \(detail)"
        }
    }
}

/// The status line and headers of an answer.
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
}

/// One HTTP/1.1 exchange over a blocking socket (`Connection: close`). Small on purpose: the CLI
/// verbs and the tests need nothing more, and it keeps TLS and HTTP/2 stacks out of the build.
/// Blocking calls run on a thread of their own, never on Swift's cooperative pool.
final class HTTPConnection: @unchecked Sendable {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var closed = false

    init(host: String, port: Int) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { throw HTTPTransportError.cannotResolve(host: host) }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            if fd >= 0 {
                if connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 {
                    descriptor = fd
                    return
                }
                lastError = String(cString: strerror(errno))
                close(fd)
            }
            entry = current.pointee.ai_next
        }
        throw HTTPTransportError.cannotConnect(host: host, port: port, reason: lastError)
    }

    deinit { if !closed { close(descriptor) } }

    /// Unblocks a read in progress from another thread (used when the caller is cancelled).
    func interrupt() {
        _ = shutdown(descriptor, Int32(SHUT_RDWR))
    }

    func shutdownBoth() {
        if !closed {
            closed = true
            close(descriptor)
        }
    }

    func send(method: String, path: String, host: String, headers: [(String, String)], body: Data?) throws {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        var bytes = Array(text.utf8)
        if let body { bytes += body }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written <= 0 { throw HTTPTransportError.connectionClosed }
            offset += written
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 { throw HTTPTransportError.connectionClosed }
        if count == 0 { return false }
        buffer += chunk[0 ..< count]
        return true
    }

    private func readLine() throws -> String {
        while true {
            if let index = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<index])
                buffer.removeSubrange(...index)
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard try fill() else { throw HTTPTransportError.connectionClosed }
        }
    }

    func readHead() throws -> HTTPResponseHead {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw HTTPTransportError.malformedResponse(statusLine)
        }
        var headers: [String: String] = [:]
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPResponseHead(status: status, headers: headers)
    }

    /// Delivers the body piece by piece as it arrives (chunked, sized or until close).
    func readBody(head: HTTPResponseHead, method: String, onBytes: ([UInt8]) throws -> Void) throws {
        if method == "HEAD" || head.status == 204 || head.status == 304 { return }
        if head.headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";")[0].trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw HTTPTransportError.malformedResponse("bad chunk size '\(sizeLine)'")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    return
                }
                var remaining = size
                while remaining > 0 {
                    if buffer.isEmpty, try !fill() { throw HTTPTransportError.connectionClosed }
                    let take = min(remaining, buffer.count)
                    try onBytes(Array(buffer[0 ..< take]))
                    buffer.removeSubrange(0 ..< take)
                    remaining -= take
                }
                _ = try readLine()
            }
        } else if let length = head.headers["content-length"].flatMap({ Int($0) }) {
            var remaining = length
            while remaining > 0 {
                if buffer.isEmpty, try !fill() { throw HTTPTransportError.connectionClosed }
                let take = min(remaining, buffer.count)
                try onBytes(Array(buffer[0 ..< take]))
                buffer.removeSubrange(0 ..< take)
                remaining -= take
            }
        } else {
            if !buffer.isEmpty {
                try onBytes(buffer)
                buffer.removeAll()
            }
            while try fill() {
                try onBytes(buffer)
                buffer.removeAll()
            }
        }
    }
}
