/// The part of Go's text/template that Ollama's Modelfile `TEMPLATE`s use: text, `{{ pipeline }}`,
/// `if`/`else if`/`else`, `range` (with `$i, $x :=`), `with`, variables, comments, trim markers.
indirect enum GoNode: Sendable {
    case text(String)
    case output(GoPipeline)
    case conditional([(GoPipeline?, [GoNode])])
    case range(variables: [String], GoPipeline, body: [GoNode], otherwise: [GoNode])
    case with(GoPipeline, body: [GoNode], otherwise: [GoNode])
    case declare(String, GoPipeline, isNew: Bool)
    case breakLoop, continueLoop
}

struct GoPipeline: Sendable {
    let commands: [[GoOperand]]
    let line: Int
}

indirect enum GoOperand: Sendable {
    case field([String])                    // .A.B (empty path: the dot itself)
    case variable(String, [String])         // $x.A
    case literal(Value)
    case function(String)
    case pipeline(GoPipeline)
}

/// Errors in Go templates name what is unsupported, so a user can fix their Modelfile.
public enum GoTemplateError: Error, Equatable, CustomStringConvertible {
    case syntax(String, line: Int)
    case unsupported(String, line: Int)
    case execution(String, line: Int)

    public var description: String {
        switch self {
        case .syntax(let m, let l): "TEMPLATE syntax error on line \(l): \(m)"
        case .unsupported(let m, let l): "TEMPLATE uses \(m) on line \(l), which axllama does not support"
        case .execution(let m, let l): "TEMPLATE failed on line \(l): \(m)"
        }
    }
}

struct GoTemplateParser {
    private var actions: [(text: String, action: String?, line: Int)] = []
    private var index = 0

    static func parse(_ source: String) throws(GoTemplateError) -> [GoNode] {
        var parser = GoTemplateParser()
        try parser.split(source)
        let (nodes, end) = try parser.parseList(until: [])
        if let end { throw .syntax("unexpected {{\(end.keyword)}}", line: end.line) }
        return nodes
    }

    /// Splits the source into text and action pieces, applying `{{-` and `-}}` trimming.
    private mutating func split(_ source: String) throws(GoTemplateError) {
        let s = Array(source.unicodeScalars)
        var pos = 0, line = 1
        var text = String.UnicodeScalarView()
        var trimNext = false
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }
        while pos < s.count {
            if s[pos] == "{", pos + 1 < s.count, s[pos + 1] == "{" {
                var start = pos + 2
                if start + 1 < s.count, s[start] == "-", isSpace(s[start + 1]) {
                    while let last = text.last, isSpace(last) { text.removeLast() }
                    start += 2
                }
                var end = start
                while end + 1 < s.count, !(s[end] == "}" && s[end + 1] == "}") {
                    if s[end] == "\"" || s[end] == "`" {
                        let quote = s[end]
                        end += 1
                        while end < s.count, s[end] != quote { if s[end] == "\\" && quote == "\"" { end += 1 }; end += 1 }
                    }
                    end += 1
                }
                guard end + 1 < s.count else { throw .syntax("unclosed action", line: line) }
                var actionEnd = end
                var trimAfter = false
                if actionEnd - 2 >= start, s[actionEnd - 1] == "-", isSpace(s[actionEnd - 2]) { actionEnd -= 2; trimAfter = true }
                var action = String.UnicodeScalarView()
                if start < actionEnd { action.append(contentsOf: s[start..<actionEnd]) }
                actions.append((String(text), String(action), line))
                line += s[pos..<(end + 2)].filter { $0 == "\n" }.count
                text = String.UnicodeScalarView()
                pos = end + 2
                trimNext = trimAfter
                continue
            }
            if trimNext && isSpace(s[pos]) { if s[pos] == "\n" { line += 1 }; pos += 1; continue }
            trimNext = false
            if s[pos] == "\n" { line += 1 }
            text.append(s[pos])
            pos += 1
        }
        actions.append((String(text), nil, line))
    }

    private mutating func parseList(until endKeywords: Set<String>) throws(GoTemplateError) -> ([GoNode], (keyword: String, rest: [String], line: Int)?) {
        var nodes: [GoNode] = []
        while index < actions.count {
            let (text, action, line) = actions[index]
            index += 1
            if !text.isEmpty { nodes.append(.text(text)) }
            guard let action else { break }
            let trimmed = action.trimmingSpaces
            if trimmed.hasPrefix("/*") {
                guard trimmed.hasSuffix("*/") else { throw .syntax("unclosed comment", line: line) }
                continue
            }
            var words = try GoTemplateParser.tokenize(trimmed, line: line)
            guard let keyword = words.first else { throw .syntax("empty action", line: line) }
            if endKeywords.contains(keyword) { return (nodes, (keyword, Array(words.dropFirst()), line)) }
            switch keyword {
            case "if": nodes.append(try parseIf(Array(words.dropFirst()), line: line))
            case "range", "with":
                words.removeFirst()
                var variables: [String] = []
                if let declare = words.firstIndex(of: ":=") ?? words.firstIndex(of: "=") {
                    variables = words[..<declare].filter { $0 != "," }
                    words = Array(words[(declare + 1)...])
                }
                let pipeline = try GoTemplateParser.pipeline(words, line: line)
                let (body, end) = try parseList(until: ["else", "end"])
                var otherwise: [GoNode] = []
                if end?.keyword == "else" { (otherwise, _) = try parseList(until: ["end"]) }
                nodes.append(keyword == "range" ? .range(variables: variables, pipeline, body: body, otherwise: otherwise) : .with(pipeline, body: body, otherwise: otherwise))
            case "break": nodes.append(.breakLoop)
            case "continue": nodes.append(.continueLoop)
            case "template", "define", "block":
                throw .unsupported("{{\(keyword)}}", line: line)
            case "end", "else":
                throw .syntax("unexpected {{\(keyword)}}", line: line)
            default:
                if words.count >= 2, words[0].hasPrefix("$"), words[1] == ":=" || words[1] == "=" {
                    nodes.append(.declare(words[0], try GoTemplateParser.pipeline(Array(words.dropFirst(2)), line: line), isNew: words[1] == ":="))
                } else {
                    nodes.append(.output(try GoTemplateParser.pipeline(words, line: line)))
                }
            }
        }
        if !endKeywords.isEmpty { throw .syntax("missing {{end}}", line: actions.last?.line ?? 1) }
        return (nodes, nil)
    }

    private mutating func parseIf(_ words: [String], line: Int) throws(GoTemplateError) -> GoNode {
        var branches: [(GoPipeline?, [GoNode])] = []
        var condition: GoPipeline? = try GoTemplateParser.pipeline(words, line: line)
        while true {
            let (body, end) = try parseList(until: condition == nil ? ["end"] : ["else", "end"])
            branches.append((condition, body))
            guard let end, end.keyword == "else" else { return .conditional(branches) }
            if end.rest.first == "if" {
                condition = try GoTemplateParser.pipeline(Array(end.rest.dropFirst()), line: end.line)
            } else {
                condition = nil
            }
        }
    }

    /// Words of an action: quoted strings stay whole; `(`, `)`, `|`, `,` and `:=` stand alone.
    static func tokenize(_ action: String, line: Int) throws(GoTemplateError) -> [String] {
        var words: [String] = []
        var current = ""
        var chars = Array(action)
        var i = 0
        func flush() { if !current.isEmpty { words.append(current); current = "" } }
        while i < chars.count {
            let c = chars[i]
            if c == "\"" || c == "`" {
                flush()
                var literal = String(c)
                i += 1
                while i < chars.count, chars[i] != c {
                    if c == "\"", chars[i] == "\\", i + 1 < chars.count { literal.append(chars[i]); i += 1 }
                    literal.append(chars[i]); i += 1
                }
                guard i < chars.count else { throw .syntax("unterminated string", line: line) }
                literal.append(c)
                words.append(literal)
            } else if c == " " || c == "\t" || c == "\n" || c == "\r" {
                flush()
            } else if c == "(" || c == ")" || c == "|" || c == "," {
                flush(); words.append(String(c))
            } else if c == ":" && i + 1 < chars.count && chars[i + 1] == "=" {
                flush(); words.append(":="); i += 1
            } else if c == "=" && current.isEmpty {
                words.append("=")
            } else {
                current.append(c)
            }
            i += 1
        }
        flush()
        chars.removeAll()
        return words
    }

    static func pipeline(_ words: [String], line: Int) throws(GoTemplateError) -> GoPipeline {
        var commands: [[GoOperand]] = []
        var command: [GoOperand] = []
        var i = 0
        while i < words.count {
            let w = words[i]
            if w == "|" {
                guard !command.isEmpty else { throw .syntax("missing command before '|'", line: line) }
                commands.append(command); command = []
                i += 1
                continue
            }
            if w == "(" {
                var depth = 1, j = i + 1
                while j < words.count, depth > 0 { if words[j] == "(" { depth += 1 } else if words[j] == ")" { depth -= 1 }; j += 1 }
                guard depth == 0 else { throw .syntax("unclosed '('", line: line) }
                command.append(.pipeline(try pipeline(Array(words[(i + 1)..<(j - 1)]), line: line)))
                i = j
                continue
            }
            command.append(try operand(w, line: line))
            i += 1
        }
        if !command.isEmpty { commands.append(command) }
        guard !commands.isEmpty else { throw .syntax("missing value", line: line) }
        return GoPipeline(commands: commands, line: line)
    }

    private static func operand(_ w: String, line: Int) throws(GoTemplateError) -> GoOperand {
        if w.hasPrefix("\"") {
            guard case .string(let s)? = try? JSON.parse(w) else { throw .syntax("invalid string \(w)", line: line) }
            return .literal(.string(s))
        }
        if w.hasPrefix("`") { return .literal(.string(String(w.dropFirst().dropLast()))) }
        if w == "." { return .field([]) }
        if w.hasPrefix(".") { return .field(w.dropFirst().split(separator: ".").map(String.init)) }
        if w.hasPrefix("$") {
            let parts = w.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            return .variable(parts[0], Array(parts.dropFirst()))
        }
        if w == "true" || w == "false" { return .literal(.bool(w == "true")) }
        if w == "nil" { return .literal(.none) }
        if let i = Int(w) { return .literal(.int(i)) }
        if let d = Double(w) { return .literal(.double(d)) }
        guard w.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw .syntax("unexpected \"\(w)\"", line: line) }
        return .function(w)
    }
}
