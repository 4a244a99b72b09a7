/// A model reference as Ollama spells it: `host/namespace/model:tag`, where host defaults to
/// `registry.ollama.ai`, namespace to `library` and tag to `latest` (Ollama `types/model/name.go`).
public struct ModelName: Hashable, Sendable, CustomStringConvertible {
    public static let defaultHost = "registry.ollama.ai"
    public static let defaultNamespace = "library"
    public static let defaultTag = "latest"

    public var host: String
    public var namespace: String
    public var model: String
    public var tag: String

    /// Parses and validates a name; nil when a part is empty or holds characters Ollama rejects
    /// (which also keeps names from escaping the store: no `..`, no absolute paths).
    public init?(_ text: String) {
        var rest = Substring(text)
        var tag = Self.defaultTag
        // The tag follows the last ':' only when that comes after the last '/', so that
        // `host:port/ns/model` keeps its port (name.go).
        if let colon = rest.lastIndex(of: ":"), rest[colon...].firstIndex(of: "/") == nil {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let host: String, namespace: String, model: String
        switch parts.count {
        case 1: (host, namespace, model) = (Self.defaultHost, Self.defaultNamespace, parts[0])
        case 2: (host, namespace, model) = (Self.defaultHost, parts[0], parts[1])
        case 3: (host, namespace, model) = (parts[0], parts[1], parts[2])
        default: return nil
        }
        guard Self.isValid(host, extra: "_.:-", maxLength: 350),
              Self.isValid(namespace, extra: "_-", maxLength: 80),
              Self.isValid(model, extra: "_.-", maxLength: 80),
              Self.isValid(tag, extra: "_.-", maxLength: 80),
              model != "..", tag != "..", host != ".."
        else { return nil }
        self.host = host
        self.namespace = namespace
        self.model = model
        self.tag = tag
    }

    /// A part starts with a letter, digit or underscore and continues with those or `extra`.
    private static func isValid(_ part: String, extra: String, maxLength: Int) -> Bool {
        guard !part.isEmpty, part.utf8.count <= maxLength else { return false }
        for (index, scalar) in part.unicodeScalars.enumerated() {
            let isWordCharacter = scalar.isASCII && (scalar.properties.isAlphabetic || ("0" ... "9").contains(scalar) || scalar == "_")
            if isWordCharacter { continue }
            if index == 0 || !extra.unicodeScalars.contains(scalar) { return false }
        }
        return true
    }

    /// The shortest display form (`model:tag`, `namespace/model:tag`, or the full name), as
    /// `/api/tags` and `/api/ps` show it.
    public var displayShortest: String {
        if host.lowercased() == Self.defaultHost {
            if namespace.lowercased() == Self.defaultNamespace { return "\(model):\(tag)" }
            return "\(namespace)/\(model):\(tag)"
        }
        return "\(host)/\(namespace)/\(model):\(tag)"
    }

    public var description: String { displayShortest }

    /// Path components of the manifest below `manifests/`.
    var manifestPathComponents: [String] { [host, namespace, model, tag] }
}
