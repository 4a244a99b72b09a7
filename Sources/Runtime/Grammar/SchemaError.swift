/// Why a `format` schema cannot be turned into a grammar. The server answers these with 400.
public enum SchemaError: Error, Equatable, CustomStringConvertible {
    /// The schema text is not JSON.
    case invalidJSON(String)
    /// A keyword outside the supported subset, at a JSON-pointer path such as `#/properties/a`.
    case unsupportedKeyword(String, path: String, reason: String? = nil)
    /// A keyword's value has the wrong shape (e.g. `minItems: "2"`).
    case invalidValue(keyword: String, path: String, expected: String)
    /// `$ref` to something that is not under `#/$defs` or `#/definitions`, or not there.
    case unresolvedReference(String, path: String)
    /// The schema allows no value at all (`false`, an empty `enum`, `minItems` above `maxItems`).
    case unsatisfiable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidJSON(detail):
            return "format schema is not valid JSON: \(detail)"
        case let .unsupportedKeyword(keyword, path, reason):
            return "format schema keyword \"\(keyword)\" at \(path) is not supported" + (reason.map { ": \($0)" } ?? "")
        case let .invalidValue(keyword, path, expected):
            return "format schema keyword \"\(keyword)\" at \(path) must be \(expected)"
        case let .unresolvedReference(reference, path):
            return "format schema reference \"\(reference)\" at \(path) cannot be resolved: only local references to #/$defs/… or #/definitions/… are supported"
        case let .unsatisfiable(path, reason):
            return "format schema at \(path) allows no value: \(reason)"
        }
    }
}
