/// How long a model stays loaded after a request: a duration, or for ever.
/// Decodes as Ollama does: a number is seconds, a string is a Go duration, anything negative
/// means for ever, 0 means unload when the request ends (ollama `api/types.go` Duration).
public enum KeepAlive: Sendable, Equatable, Hashable {
    case duration(nanoseconds: Int64)
    case forever

    public static let unloadImmediately = KeepAlive.duration(nanoseconds: 0)

    public init(seconds: Double) {
        self = seconds < 0 ? .forever : .duration(nanoseconds: Int64((seconds * 1e9).rounded()))
    }

    /// A Go duration string, or a bare integer number of seconds (the extra form
    /// `OLLAMA_KEEP_ALIVE` accepts, ollama `envconfig.KeepAlive`).
    public init(environmentValue text: String) throws {
        // Ollama trims spaces and quotes from every variable (ollama `envconfig.Var`).
        let trimmed = String(text.drop { " \t\"'".contains($0) }.reversed().drop { " \t\"'".contains($0) }.reversed())
        if let seconds = Int(trimmed) {
            self.init(seconds: Double(seconds))
        } else {
            self.init(nanoseconds: try GoDurationParser.nanoseconds(trimmed))
        }
    }

    public init(nanoseconds: Double) {
        self = nanoseconds < 0 ? .forever : .duration(nanoseconds: Int64(min(nanoseconds, Double(Int64.max))))
    }

    public var isUnloadImmediately: Bool { self == .unloadImmediately }
}

extension KeepAlive: Codable {
    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let seconds = try? single.decode(Double.self) {
            self.init(seconds: seconds)
        } else if let text = try? single.decode(String.self) {
            do {
                self.init(nanoseconds: try GoDurationParser.nanoseconds(text))
            } catch {
                throw WireDecodingError.invalidValue("\(error)")
            }
        } else {
            let kind = (try? single.decode(Bool.self)) != nil ? "bool" : "map[string]interface {}"
            throw WireDecodingError.invalidValue("Unsupported type: '\(kind)'")
        }
    }

    /// Written as seconds, the form every client accepts.
    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        switch self {
        case .forever: try single.encode(-1)
        case let .duration(nanoseconds):
            if nanoseconds % 1_000_000_000 == 0 {
                try single.encode(nanoseconds / 1_000_000_000)
            } else {
                try single.encode(Double(nanoseconds) / 1e9)
            }
        }
    }
}
