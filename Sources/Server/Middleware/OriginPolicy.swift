/// Which browser origins may call the API: `OLLAMA_ORIGINS` plus Ollama's built-in list of
/// localhost and app origins, with `*` wildcards (ollama `envconfig.AllowedOrigins`).
struct OriginPolicy: Sendable {
    let patterns: [String]
    let allowsAll: Bool

    init(extraOrigins: [String]) {
        var patterns = extraOrigins
        for host in ["localhost", "127.0.0.1", "0.0.0.0"] {
            patterns += ["http://\(host)", "https://\(host)", "http://\(host):*", "https://\(host):*"]
        }
        patterns += ["app://*", "file://*", "tauri://*", "vscode-webview://*", "vscode-file://*"]
        self.patterns = patterns
        allowsAll = extraOrigins.contains("*")
    }

    func allows(_ origin: String) -> Bool {
        allowsAll || patterns.contains { Self.matches(origin, pattern: $0) }
    }

    /// `*` matches any run of characters.
    static func matches(_ text: String, pattern: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return text == pattern }
        guard text.hasPrefix(parts[0]), text.count >= parts[0].count + parts.last!.count, text.hasSuffix(parts.last!) else { return false }
        var rest = Substring(text.dropFirst(parts[0].count).dropLast(parts.last!.count))
        for middle in parts.dropFirst().dropLast() where !middle.isEmpty {
            guard let range = rest.range(of: middle) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }

    // (ollama `GenerateRoutes`, gin-contrib/cors DefaultConfig)
    static let allowedHeaders = [
        "Authorization", "Content-Type", "User-Agent", "Accept", "X-Requested-With", "OpenAI-Beta",
        "x-stainless-arch", "x-stainless-async", "x-stainless-custom-poll-interval", "x-stainless-helper-method",
        "x-stainless-lang", "x-stainless-os", "x-stainless-package-version", "x-stainless-poll-helper",
        "x-stainless-retry-count", "x-stainless-runtime", "x-stainless-runtime-version", "x-stainless-timeout",
    ].joined(separator: ", ")
    static let allowedMethods = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"
}
