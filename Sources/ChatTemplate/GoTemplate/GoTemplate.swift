import Foundation

/// An Ollama Modelfile `TEMPLATE` in Go template syntax, for the common cases: `.System`,
/// `.Prompt`, `.Response`, `.Suffix`, `range .Messages` with `.Role`/`.Content`, `.Tools`,
/// `if`/`else`/`end`. Anything else fails with an error naming it.
public struct GoTemplate: Sendable {
    public let source: String
    let nodes: [GoNode]
    public var limits: RenderLimits

    public init(source: String, limits: RenderLimits = .default) throws(GoTemplateError) {
        self.source = source
        self.nodes = try GoTemplateParser.parse(source)
        self.limits = limits
    }

    /// One chat message as Ollama's templates see it (template/template.go).
    public struct Message: Sendable {
        public var role: String
        public var content: String
        public var thinking: String
        public var toolCalls: [ToolCall]
        public var toolName: String
        public init(role: String, content: String, thinking: String = "", toolCalls: [ToolCall] = [], toolName: String = "") {
            self.role = role
            self.content = content
            self.thinking = thinking
            self.toolCalls = toolCalls
            self.toolName = toolName
        }
    }

    /// Renders with Ollama's template values. Missing ones are empty, as Go's zero values are.
    public func render(
        system: String = "", prompt: String = "", response: String = "", suffix: String = "",
        messages: [Message] = [], tools: [Value] = [], think: Bool = false, thinkLevel: String = "", isThinkSet: Bool = false
    ) throws(GoTemplateError) -> String {
        var root = OrderedDictionary<String, Value>()
        root["System"] = .string(system)
        root["Prompt"] = .string(prompt)
        root["Response"] = .string(response)
        root["Suffix"] = .string(suffix)
        root["Messages"] = .list(messages.map { m in
            var d = OrderedDictionary<String, Value>()
            d["Role"] = .string(m.role)
            d["Content"] = .string(m.content)
            d["Thinking"] = .string(m.thinking)
            d["ToolName"] = .string(m.toolName)
            d["ToolCalls"] = .list(m.toolCalls.map { call in
                .object(["Function": .object(["Name": .string(call.name), "Arguments": .dict(call.arguments)])])
            })
            return .dict(d)
        })
        root["Tools"] = .list(tools)
        root["Think"] = .bool(think)
        root["ThinkLevel"] = .string(thinkLevel)
        root["IsThinkSet"] = .bool(isThinkSet)
        return try render(data: .dict(root))
    }

    /// Renders with any data as the dot.
    public func render(data: Value) throws(GoTemplateError) -> String {
        var execution = GoExecution(root: data, limits: limits)
        var out = ""
        _ = try execution.run(nodes, dot: data, into: &out)
        return out
    }
}

/// Whether a Go template mentions what Ollama's capability checks look for.
extension GoTemplate {
    public var capabilities: TemplateCapabilities {
        var result: TemplateCapabilities = []
        if source.contains(".Tools") { result.insert(.tools) }
        if source.contains(".Think") || source.contains(".Thinking") { result.insert(.thinking) }
        if source.contains(".Suffix") { result.insert(.insert) }
        return result
    }
}

struct GoExecution {
    let root: Value
    let limits: RenderLimits
    var variables: [(String, Value)] = []
    var steps = 0

    init(root: Value, limits: RenderLimits) {
        self.root = root
        self.limits = limits
        variables = [("$", root)]
    }

    enum Flow { case normal, breakLoop, continueLoop }

    mutating func run(_ nodes: [GoNode], dot: Value, into out: inout String) throws(GoTemplateError) -> Flow {
        let scopeStart = variables.count
        defer { variables.removeSubrange(scopeStart...) }
        for node in nodes {
            steps += 1
            if steps > limits.maxSteps { throw .execution("more than \(limits.maxSteps) steps", line: 0) }
            switch node {
            case .text(let t): out += t
            case .output(let p): out += Self.print(try evaluate(p, dot: dot))
            case .conditional(let branches):
                for (condition, body) in branches {
                    if let condition, !Self.truthy(try evaluate(condition, dot: dot)) { continue }
                    let flow = try run(body, dot: dot, into: &out)
                    if flow != .normal { return flow }
                    break
                }
            case .with(let p, let body, let otherwise):
                let v = try evaluate(p, dot: dot)
                let flow = Self.truthy(v) ? try run(body, dot: v, into: &out) : try run(otherwise, dot: dot, into: &out)
                if flow != .normal { return flow }
            case .range(let names, let p, let body, let otherwise):
                let v = try evaluate(p, dot: dot)
                var pairs: [(Value, Value)]
                switch v {
                case .list(let items): pairs = items.enumerated().map { (.int($0.offset), $0.element) }
                case .dict(let d): pairs = d.pairs.sorted { $0.key < $1.key }.map { (.string($0.key), $0.value) }  // Go ranges maps in key order
                case .int(let n): pairs = (0..<max(0, n)).map { (.int($0), .int($0)) }
                case .none: pairs = []
                default: throw .execution("range can't iterate over \(Self.print(v))", line: p.line)
                }
                if pairs.isEmpty {
                    let flow = try run(otherwise, dot: dot, into: &out)
                    if flow != .normal { return flow }
                    continue
                }
                if pairs.count > limits.maxLoopIterations { throw .execution("range over more than \(limits.maxLoopIterations) items", line: p.line) }
                for (key, element) in pairs {
                    let mark = variables.count
                    if names.count == 1 { variables.append((names[0], element)) }
                    if names.count == 2 { variables.append((names[0], key)); variables.append((names[1], element)) }
                    let flow = try run(body, dot: element, into: &out)
                    variables.removeSubrange(mark...)
                    if flow == .breakLoop { break }
                    if out.utf8.count > limits.maxOutputLength { throw .execution("output grew beyond \(limits.maxOutputLength) bytes", line: p.line) }
                }
            case .declare(let name, let p, let isNew):
                let v = try evaluate(p, dot: dot)
                if isNew {
                    variables.append((name, v))
                } else {
                    guard let i = variables.lastIndex(where: { $0.0 == name }) else { throw .execution("undefined variable \(name)", line: p.line) }
                    variables[i].1 = v
                }
            case .breakLoop: return .breakLoop
            case .continueLoop: return .continueLoop
            }
            if out.utf8.count > limits.maxOutputLength { throw .execution("output grew beyond \(limits.maxOutputLength) bytes", line: 0) }
        }
        return .normal
    }

    func evaluate(_ pipeline: GoPipeline, dot: Value) throws(GoTemplateError) -> Value {
        var piped: Value? = nil
        for command in pipeline.commands {
            piped = try evaluate(command, piped: piped, dot: dot, line: pipeline.line)
        }
        return piped ?? .none
    }

    private func evaluate(_ command: [GoOperand], piped: Value?, dot: Value, line: Int) throws(GoTemplateError) -> Value {
        if case .function(let name) = command[0] {
            var args: [Value] = []
            for operand in command.dropFirst() { args.append(try value(operand, dot: dot, line: line)) }
            if let piped { args.append(piped) }
            return try call(name, args, line: line)
        }
        guard command.count == 1, piped == nil else { throw .syntax("can't give arguments to a non-function", line: line) }
        return try value(command[0], dot: dot, line: line)
    }

    private func value(_ operand: GoOperand, dot: Value, line: Int) throws(GoTemplateError) -> Value {
        switch operand {
        case .literal(let v): return v
        case .field(let path): return try Self.walk(dot, path, line: line)
        case .variable(let name, let path):
            guard let v = variables.last(where: { $0.0 == name })?.1 else { throw .execution("undefined variable \(name)", line: line) }
            return try Self.walk(v, path, line: line)
        case .pipeline(let p): return try evaluate(p, dot: dot)
        case .function(let name): return try call(name, [], line: line)
        }
    }

    private static func walk(_ start: Value, _ path: [String], line: Int) throws(GoTemplateError) -> Value {
        var v = start
        for field in path {
            guard case .dict(let d) = v else { throw .execution("can't evaluate field \(field) in \(print(v))", line: line) }
            guard let next = d[field] else { throw .unsupported("the field .\(field)", line: line) }
            v = next
        }
        return v
    }

    private func call(_ name: String, _ args: [Value], line: Int) throws(GoTemplateError) -> Value {
        func need(_ n: Int) throws(GoTemplateError) {
            if args.count != n { throw .execution("wrong number of args for \(name): want \(n) got \(args.count)", line: line) }
        }
        switch name {
        case "and":
            guard !args.isEmpty else { throw .execution("and needs arguments", line: line) }
            return args.first { !Self.truthy($0) } ?? args.last!
        case "or":
            guard !args.isEmpty else { throw .execution("or needs arguments", line: line) }
            return args.first { Self.truthy($0) } ?? args.last!
        case "not": try need(1); return .bool(!Self.truthy(args[0]))
        case "eq":
            guard args.count >= 2 else { throw .execution("eq needs two arguments", line: line) }
            return .bool(args.dropFirst().contains { $0 == args[0] })
        case "ne": try need(2); return .bool(args[0] != args[1])
        case "lt", "le", "gt", "ge":
            try need(2)
            let order: Int
            switch (args[0], args[1]) {
            case (.string(let a), .string(let b)): order = a == b ? 0 : (a < b ? -1 : 1)
            default:
                guard let a = args[0].asDouble, let b = args[1].asDouble else { throw .execution("incompatible types for comparison", line: line) }
                order = a == b ? 0 : (a < b ? -1 : 1)
            }
            switch name {
            case "lt": return .bool(order < 0)
            case "le": return .bool(order <= 0)
            case "gt": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case "len":
            try need(1)
            switch args[0] {
            case .string(let s): return .int(s.utf8.count)  // Go's len counts bytes
            case .list(let l): return .int(l.count)
            case .dict(let d): return .int(d.count)
            default: throw .execution("len of \(Self.print(args[0]))", line: line)
            }
        case "index":
            guard var v = args.first else { throw .execution("index needs arguments", line: line) }
            for key in args.dropFirst() {
                switch (v, key) {
                case (.list(let l), .int(let i)):
                    guard i >= 0 && i < l.count else { throw .execution("index out of range: \(i)", line: line) }
                    v = l[i]
                case (.dict(let d), .string(let k)): v = d[k] ?? .none
                default: throw .execution("can't index \(Self.print(v)) with \(Self.print(key))", line: line)
                }
            }
            return v
        case "slice":
            guard case .list(let l)? = args.first else { throw .execution("slice needs a list", line: line) }
            let bounds = args.dropFirst().compactMap(\.asInt)
            let from = bounds.first ?? 0, to = bounds.count > 1 ? bounds[1] : l.count
            guard from >= 0, from <= to, to <= l.count else { throw .execution("slice index out of range", line: line) }
            return .list(Array(l[from..<to]))
        case "print": return .string(args.map(Self.print).joined())
        case "println": return .string(args.map(Self.print).joined(separator: " ") + "\n")
        case "printf":
            guard case .string(let format)? = args.first else { throw .execution("printf needs a format", line: line) }
            var rest = Array(args.dropFirst())
            var out = ""
            var it = format.makeIterator()
            while let c = it.next() {
                guard c == "%" else { out.append(c); continue }
                guard let verb = it.next() else { break }
                if verb == "%" { out.append("%"); continue }
                guard !rest.isEmpty else { out += "%!\(verb)(MISSING)"; continue }
                let v = rest.removeFirst()
                switch verb {
                case "s", "v", "d": out += Self.print(v)
                case "q": out += (try? JSON.dump(.string(Self.print(v)))) ?? ""
                default: throw .unsupported("printf verb %\(verb)", line: line)
                }
            }
            return .string(out)
        case "json":
            // Ollama's template function: the value as JSON.
            try need(1)
            guard let text = try? JSON.dump(args[0], options: { var o = JSON.DumpOptions(); o.itemSeparator = ","; o.keySeparator = ":"; return o }()) else {
                throw .execution("json: value is not serializable", line: line)
            }
            return .string(text)
        case "currentDate":
            return .string(Strftime.format("%Y-%m-%d", date: Date(), timeZone: .current))
        default:
            throw .unsupported("the function \"\(name)\"", line: line)
        }
    }

    static func truthy(_ v: Value) -> Bool {
        switch v {
        case .none, .undefined: false
        default: v.isTruthy
        }
    }

    /// Go's default formatting (`fmt.Sprint`).
    static func print(_ v: Value) -> String {
        switch v {
        case .none, .undefined: "<no value>"
        case .string(let s), .markup(let s): s
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): d == d.rounded() && abs(d) < 1e21 ? String(Int(d)) : String(d)
        case .list(let l), .iterator(let l): "[" + l.map(print).joined(separator: " ") + "]"
        case .dict(let d): "map[" + d.pairs.sorted { $0.key < $1.key }.map { $0.key + ":" + print($0.value) }.joined(separator: " ") + "]"
        case .namespace, .function: ""
        }
    }
}
