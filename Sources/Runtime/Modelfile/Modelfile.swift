import Foundation

/// A parsed Modelfile (ollama `parser/parser.go`, `docs/modelfile.mdx`): the base model and
/// the settings layered on it.
public struct Modelfile: Sendable, Equatable {
    public struct Message: Sendable, Equatable {
        public var role: String
        public var content: String

        public init(role: String, content: String) {
            self.role = role
            self.content = content
        }
    }

    /// `FROM`: a model name, a path to a GGUF file or model directory, or a blob digest.
    public var from: String?
    public var adapters: [String] = []
    /// `PARAMETER name value`, in file order; names may repeat (`stop`).
    public var parameters: [(name: String, value: String)] = []
    public var template: String?
    public var system: String?
    public var license: [String] = []
    public var messages: [Message] = []

    public init() {}

    public static func == (lhs: Modelfile, rhs: Modelfile) -> Bool {
        lhs.from == rhs.from && lhs.adapters == rhs.adapters && lhs.template == rhs.template && lhs.system == rhs.system
            && lhs.license == rhs.license && lhs.messages == rhs.messages
            && lhs.parameters.map { "\($0.name)=\($0.value)" } == rhs.parameters.map { "\($0.name)=\($0.value)" }
    }
}

/// Why a Modelfile could not be read, with the line to look at.
public enum ModelfileError: Error, Equatable, CustomStringConvertible {
    case unknownCommand(String, line: Int)
    case missingValue(command: String, line: Int)
    case invalidRole(String, line: Int)
    case unterminatedQuote(line: Int)
    case missingFrom

    public var description: String {
        switch self {
        case let .unknownCommand(command, line):
            // Ollama's wording (ollama parser.go errInvalidCommand), with the line added.
            return "line \(line): unknown command '\(command)': command must be one of \"from\", \"license\", \"template\", \"system\", \"adapter\", \"parameter\", or \"message\""
        case let .missingValue(command, line): return "line \(line): \(command) needs a value"
        case let .invalidRole(role, line):
            return "line \(line): invalid message role '\(role)': role must be one of \"system\", \"user\", or \"assistant\""
        case let .unterminatedQuote(line): return "line \(line): a quoted value is not closed"
        case .missingFrom: return "no FROM line"
        }
    }
}

extension Modelfile {
    /// Parses Modelfile text: one command per line (case-insensitive), `#` comments, values
    /// unquoted (rest of the line), in `"…"`, or in `"""…"""` spanning lines.
    public init(parsing text: String) throws {
        self.init()
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        while index < lines.count {
            let lineNumber = index + 1
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            index += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let command = String(line.prefix { !$0.isWhitespace })
            var rest = String(line.dropFirst(command.count)).trimmingCharacters(in: .whitespaces)
            let keyword = command.lowercased()
            var argument: String?
            if keyword == "parameter" || keyword == "message" {
                argument = String(rest.prefix { !$0.isWhitespace })
                rest = String(rest.dropFirst(argument!.count)).trimmingCharacters(in: .whitespaces)
            }
            let value = try Self.value(rest, lines: lines, index: &index, lineNumber: lineNumber)
            guard !value.isEmpty || keyword == "system" || keyword == "template" else {
                throw ModelfileError.missingValue(command: keyword.uppercased(), line: lineNumber)
            }
            switch keyword {
            case "from": from = value
            case "adapter": adapters.append(value)
            case "template": template = value
            case "system": system = value
            case "license": license.append(value)
            case "parameter":
                guard let name = argument, !name.isEmpty else { throw ModelfileError.missingValue(command: "PARAMETER", line: lineNumber) }
                parameters.append((name.lowercased(), value))
            case "message":
                let role = (argument ?? "").lowercased()
                guard ["system", "user", "assistant"].contains(role) else { throw ModelfileError.invalidRole(role, line: lineNumber) }
                messages.append(Message(role: role, content: value))
            default:
                throw ModelfileError.unknownCommand(command, line: lineNumber)
            }
        }
        guard from != nil else { throw ModelfileError.missingFrom }
    }

    /// The value starting at `rest`, reading further lines for an open `"""`.
    private static func value(_ rest: String, lines: [String], index: inout Int, lineNumber: Int) throws -> String {
        if rest.hasPrefix("\"\"\"") {
            var text = String(rest.dropFirst(3))
            if let close = text.range(of: "\"\"\"") { return String(text[..<close.lowerBound]) }
            while index < lines.count {
                let next = lines[index]
                index += 1
                if let close = next.range(of: "\"\"\"") { return text + "\n" + next[..<close.lowerBound] }
                text += "\n" + next
            }
            throw ModelfileError.unterminatedQuote(line: lineNumber)
        }
        if rest.hasPrefix("\""), rest.count >= 2, rest.hasSuffix("\"") {
            return String(rest.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
        }
        if rest.hasPrefix("\"") { throw ModelfileError.unterminatedQuote(line: lineNumber) }
        return rest
    }
}
