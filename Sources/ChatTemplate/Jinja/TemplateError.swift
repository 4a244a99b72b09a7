/// Where in the template text something happened (1-based).
public struct TemplateLocation: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public var description: String { "line \(line), column \(column)" }
}

/// Everything that can go wrong compiling or rendering a chat template.
public enum TemplateError: Error, Equatable, CustomStringConvertible {
    /// The template text is not valid Jinja (or uses a tag this interpreter does not know).
    case syntax(String, TemplateLocation)
    /// Evaluation failed the way Python would fail (type error, undefined value, bad call).
    case runtime(String, TemplateLocation)
    /// The template called `raise_exception(message)`.
    case raised(String, TemplateLocation)
    /// A safety limit stopped a hostile or runaway template.
    case limitExceeded(String, TemplateLocation)

    public var description: String {
        switch self {
        case .syntax(let m, let l): "chat template syntax error at \(l): \(m)"
        case .runtime(let m, let l): "chat template error at \(l): \(m)"
        case .raised(let m, let l): "chat template raised an exception at \(l): \(m)"
        case .limitExceeded(let m, let l): "chat template stopped at \(l): \(m)"
        }
    }

    public var location: TemplateLocation {
        switch self {
        case .syntax(_, let l), .runtime(_, let l), .raised(_, let l), .limitExceeded(_, let l): l
        }
    }
}

/// An error raised while evaluating, before the interpreter attaches the template location.
enum EvaluationError: Error {
    case runtime(String)
    case raised(String)
    case limit(String)
}

/// Bounds for templates that come from untrusted model files.
public struct RenderLimits: Sendable {
    /// Characters of output (and of any intermediate string or list).
    public var maxOutputLength = 8 << 20
    /// Iterations of all loops together.
    public var maxLoopIterations = 1_000_000
    /// Nested macro calls.
    public var maxCallDepth = 64
    /// Evaluated statements and expressions.
    public var maxSteps = 5_000_000

    public init() {}
    public static let `default` = RenderLimits()
}
