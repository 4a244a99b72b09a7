/// Where the server listens, parsed from `OLLAMA_HOST` as Ollama does: `host`, `host:port`,
/// `:port`, `scheme://host[:port][/path]`; default `127.0.0.1:11434`, and port 80 or 443 when an
/// `http://` or `https://` value has none (ollama `envconfig.Host`).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public static let ollamaDefault = ListenAddress(host: "127.0.0.1", port: 11434)

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(ollamaHost value: String?) {
        var text = (value ?? "").trimmingCharacters(in: .whitespaces)
        var defaultPort = 11434
        if let range = text.range(of: "://") {
            let scheme = text[..<range.lowerBound]
            if scheme == "http" { defaultPort = 80 } else if scheme == "https" { defaultPort = 443 }
            text = String(text[range.upperBound...])
        }
        if let slash = text.firstIndex(of: "/") { text = String(text[..<slash]) }
        if text.isEmpty {
            self = ListenAddress(host: "127.0.0.1", port: defaultPort)
            return
        }
        // `[::1]:8080`, `host:8080`, `:8080`; a bare IPv6 address has several colons and no port.
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex) ..< close])
            let rest = text[text.index(after: close)...]
            let port = rest.hasPrefix(":") ? Int(rest.dropFirst()) : nil
            self = ListenAddress(host: host, port: port ?? defaultPort)
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) {
            let host = String(text[..<colon])
            self = ListenAddress(host: host.isEmpty ? "0.0.0.0" : host, port: port)
        } else {
            self = ListenAddress(host: text, port: defaultPort)
        }
    }

    /// Loopback binds get the Host-header check (ollama `allowedHostsMiddleware`).
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
