/// Why the AXCL runtime library could not be used.
public enum AXCLLibraryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One place the loader looked and what `dlopen` said about it.
    public struct Attempt: Sendable, Equatable {
        public let location: String
        public let reason: String
    }

    case notFound(attempts: [Attempt])
    case missingSymbols(path: String, names: [String])

    public var description: String {
        switch self {
        case let .notFound(attempts):
            let tried = attempts.map { "\($0.location): \($0.reason)" }.joined(separator: "; ")
            return "AXCL runtime library (libaxcl_rt.so) not found. Tried \(tried). "
                + "Install the axclhost package (see docs/raspberry-pi.md) or set \(AXCLLibrary.pathVariable) to the library's path."
        case let .missingSymbols(path, names):
            return "\(path) is not a usable AXCL runtime: it lacks \(names.count) required symbol(s): "
                + names.joined(separator: ", ") + ". axllama needs the AXCL runtime API of V3.10.2 or newer."
        }
    }
}
