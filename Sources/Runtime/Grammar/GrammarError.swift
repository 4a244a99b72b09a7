import EngineInterface

/// Failures while decoding under a grammar.
public enum GrammarError: Error, Equatable, CustomStringConvertible {
    /// No token of the vocabulary continues the output: the grammar needs bytes the vocabulary
    /// cannot spell.
    case noAllowedToken(grammar: String, output: String)
    /// A token that does not continue the output was given (it was not sampled under the mask).
    case tokenRejected(TokenID, text: String, grammar: String, output: String)

    public var description: String {
        switch self {
        case let .noAllowedToken(grammar, output):
            return "no token of the model's vocabulary can continue the \(grammar) output after \(Self.tail(output)); the grammar needs text this vocabulary cannot produce"
        case let .tokenRejected(token, text, grammar, output):
            return "token \(token) (\(Self.quoted(text))) cannot continue the \(grammar) output after \(Self.tail(output)); constrained tokens must be sampled under the grammar's mask"
        }
    }

    private static func tail(_ output: String) -> String {
        output.isEmpty ? "the start" : quoted(output.count > 60 ? "…" + String(output.suffix(60)) : output)
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.unicodeScalars.map { $0 == "\n" ? "\\n" : String($0) }.joined() + "\""
    }
}
