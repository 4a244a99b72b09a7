import Foundation

/// An error answer from the server: its status and the `error` text of its body.
public struct OllamaResponseError: Error, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message.isEmpty ? "the server answered \(status)" : message }
}

/// An async client for the Ollama API, as the CLI verbs use it: `OLLAMA_HOST` parsed the way
/// Ollama's clients parse it, JSON requests, NDJSON streams read line by line as they arrive.
public final class OllamaClient: Sendable {
    public let host: String
    public let port: Int
    public let apiKey: String?

    public init(host: String, port: Int, apiKey: String? = nil) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
    }

    /// `OLLAMA_HOST` (default `127.0.0.1:11434`); `0.0.0.0` is reached through loopback.
    public convenience init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        var text = (environment["OLLAMA_HOST"] ?? "").trimmingCharacters(in: .whitespaces)
        var port = 11434
        if let range = text.range(of: "://") {
            if text.hasPrefix("http://") { port = 80 } else if text.hasPrefix("https://") { port = 443 }
            text = String(text[range.upperBound...])
        }
        if let slash = text.firstIndex(of: "/") { text = String(text[..<slash]) }
        var host = text
        if let colon = text.lastIndex(of: ":"), !text.hasSuffix("]"), let parsed = Int(text[text.index(after: colon)...]) {
            port = parsed
            host = String(text[..<colon])
        }
        host = host.trimmingCharacters(in: ["[", "]"])
        if host.isEmpty || host == "0.0.0.0" { host = "127.0.0.1" }
        let key = environment["AXLLAMA_API_KEY"] ?? environment["OLLAMA_API_KEY"]
        self.init(host: host, port: port, apiKey: key?.isEmpty == false ? key : nil)
    }

    private var hostHeader: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Runs one exchange on its own thread and hands the body over in pieces.
    private func exchange(_ method: String, _ path: String, body: Data?, accept: String, extraHeaders: [(String, String)] = [],
                          onHead: @escaping @Sendable (HTTPResponseHead) -> Void,
                          onBytes: @escaping @Sendable ([UInt8]) -> Void) async throws {
        let (host, port, hostHeader, apiKey) = (self.host, self.port, self.hostHeader, self.apiKey)
        let live = LiveConnection()
        try await withTaskCancellationHandler {
          try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                do {
                    let connection = try HTTPConnection(host: host, port: port)
                    // Closing our side is how a client cancels a generation (ollama/ollama#1695).
                    if live.attach(connection) { throw CancellationError() }
                    var headers = [("Accept", accept), ("User-Agent", "axllama")]
                    if body != nil { headers.append(("Content-Type", "application/json")) }
                    if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
                    headers += extraHeaders
                    try connection.send(method: method, path: path, host: hostHeader, headers: headers, body: body)
                    let head = try connection.readHead()
                    onHead(head)
                    try connection.readBody(head: head, method: method, onBytes: onBytes)
                    connection.shutdownBoth()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
          }
        } onCancel: {
            live.cancel()
        }
    }

    /// A whole answer: status, headers and body.
    public func send(_ method: String, _ path: String, body: Data? = nil, headers: [(String, String)] = []) async throws -> (head: HTTPResponseHead, body: Data) {
        let collected = Collected()
        try await exchange(method, path, body: body, accept: "application/json", extraHeaders: headers, onHead: { collected.setHead($0) }, onBytes: { collected.append($0) })
        return (collected.head ?? HTTPResponseHead(status: 0, headers: [:]), collected.data)
    }

    /// Sends JSON and decodes JSON; a non-2xx answer throws `OllamaResponseError`.
    public func call<Answer: Decodable>(_ method: String, _ path: String, _ request: (some Encodable)?, as: Answer.Type) async throws -> Answer {
        let (head, data) = try await send(method, path, body: request.map { WireCoding.encode($0) })
        try Self.check(head, data)
        return try WireCoding.decode(Answer.self, from: data)
    }

    /// Sends JSON and expects only a success status (copy, delete).
    public func call(_ method: String, _ path: String, _ request: some Encodable) async throws {
        let (head, data) = try await send(method, path, body: WireCoding.encode(request))
        try Self.check(head, data)
    }

    static func check(_ head: HTTPResponseHead, _ data: Data) throws {
        guard (200 ..< 300).contains(head.status) else {
            let message = (try? WireCoding.decode(ErrorResponse.self, from: data))?.error ?? String(decoding: data, as: UTF8.self)
            throw OllamaResponseError(status: head.status, message: message)
        }
    }

    /// An NDJSON stream decoded line by line as the server writes it; an `{"error":…}` line or
    /// an error status ends it with `OllamaResponseError`.
    public func stream<Line: Decodable & Sendable>(_ path: String, _ request: some Encodable, as: Line.Type) -> AsyncThrowingStream<Line, any Error> {
        let body = WireCoding.encode(request)
        return AsyncThrowingStream { continuation in
            let splitter = LineSplitter()
            let status = Collected()
            let task = Task {
                do {
                    try await self.exchange("POST", path, body: body, accept: "application/x-ndjson", onHead: { status.setHead($0) }, onBytes: { bytes in
                        if let head = status.head, !(200 ..< 300).contains(head.status) {
                            status.append(bytes)
                            return
                        }
                        for line in splitter.feed(bytes) where !line.isEmpty {
                            if let failure = try? WireCoding.decode(ErrorResponse.self, from: line), !failure.error.isEmpty {
                                continuation.finish(throwing: OllamaResponseError(status: status.head?.status ?? 200, message: failure.error))
                                return
                            }
                            do {
                                continuation.yield(try WireCoding.decode(Line.self, from: line))
                            } catch {
                                continuation.finish(throwing: error)
                            }
                        }
                    })
                    if let head = status.head { try Self.check(head, status.data) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// The connection of an exchange in progress, so that cancelling the caller can close it.
private final class LiveConnection: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: HTTPConnection?
    private var cancelled = false

    /// Records the connection; true when the caller was already cancelled.
    func attach(_ connection: HTTPConnection) -> Bool {
        lock.withLock {
            self.connection = connection
            return cancelled
        }
    }

    func cancel() {
        lock.withLock {
            cancelled = true
            connection?.interrupt()
        }
    }
}

/// Accumulates an answer delivered on the connection's thread.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var storedHead: HTTPResponseHead?
    private var storedData = Data()

    func setHead(_ head: HTTPResponseHead) { lock.withLock { storedHead = head } }
    func append(_ bytes: [UInt8]) { lock.withLock { storedData.append(contentsOf: bytes) } }
    var head: HTTPResponseHead? { lock.withLock { storedHead } }
    var data: Data { lock.withLock { storedData } }
}

/// Splits a byte stream into `\n`-terminated lines.
final class LineSplitter: @unchecked Sendable {
    private var pending: [UInt8] = []

    func feed(_ bytes: [UInt8]) -> [Data] {
        pending += bytes
        var lines: [Data] = []
        while let index = pending.firstIndex(of: 0x0A) {
            lines.append(Data(pending[..<index]))
            pending.removeSubrange(...index)
        }
        return lines
    }
}
