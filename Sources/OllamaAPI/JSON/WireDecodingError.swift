/// A request body that does not match the API, with the message Ollama would return.
public enum WireDecodingError: Error, Equatable, CustomStringConvertible {
    /// A value the API rejects; the message is the whole error text.
    case invalidValue(String)

    public var description: String {
        switch self {
        case let .invalidValue(message): return message
        }
    }
}
