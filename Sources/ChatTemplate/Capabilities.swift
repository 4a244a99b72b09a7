/// What a chat template can do, as Ollama reports it in `capabilities` (`tools`, `thinking`,
/// `insert`; Ollama derives them from what the template mentions, server/images.go).
public struct TemplateCapabilities: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let tools = TemplateCapabilities(rawValue: 1)
    public static let thinking = TemplateCapabilities(rawValue: 2)
    public static let insert = TemplateCapabilities(rawValue: 4)
}

extension ChatTemplate {
    /// Read from the syntax tree: `tools` if the template uses the `tools` variable, `thinking`
    /// if it handles `enable_thinking`, `reasoning_content`, a message's `thinking` or writes a
    /// `<think>` marker, `insert` if it uses `suffix`.
    public var capabilities: TemplateCapabilities {
        var names = Set<String>(), texts: [String] = []
        Self.collect(program, names: &names, texts: &texts)
        var result: TemplateCapabilities = []
        if names.contains("tools") { result.insert(.tools) }
        if !names.isDisjoint(with: ["enable_thinking", "reasoning_content", "thinking"]) || texts.contains(where: { $0.contains("<think>") }) {
            result.insert(.thinking)
        }
        if names.contains("suffix") { result.insert(.insert) }
        return result
    }

    private static func collect(_ statements: [Statement], names: inout Set<String>, texts: inout [String]) {
        for s in statements {
            switch s.kind {
            case .text(let t): texts.append(t)
            case .output(let e), .assign(_, let e): collect(e, names: &names, texts: &texts)
            case .conditional(let branches):
                for (c, body) in branches {
                    if let c { collect(c, names: &names, texts: &texts) }
                    collect(body, names: &names, texts: &texts)
                }
            case .loop(_, let iterable, let condition, let body, let otherwise):
                collect(iterable, names: &names, texts: &texts)
                if let condition { collect(condition, names: &names, texts: &texts) }
                collect(body + otherwise, names: &names, texts: &texts)
            case .assignBlock(_, _, let body), .filterBlock(_, let body), .passThrough(let body):
                collect(body, names: &names, texts: &texts)
            case .macro(let m): collect(m.body, names: &names, texts: &texts)
            case .callBlock(let e, _, let body):
                collect(e, names: &names, texts: &texts)
                collect(body, names: &names, texts: &texts)
            case .scope(let assignments, let body):
                for (_, e) in assignments { collect(e, names: &names, texts: &texts) }
                collect(body, names: &names, texts: &texts)
            case .breakLoop, .continueLoop: break
            }
        }
    }

    private static func collect(_ e: Expression, names: inout Set<String>, texts: inout [String]) {
        func arguments(_ args: [CallArgument]) {
            for a in args {
                switch a {
                case .positional(let x), .keyword(_, let x): collect(x, names: &names, texts: &texts)
                }
            }
        }
        switch e.kind {
        case .literal(let v):
            if case .string(let s) = v { texts.append(s); names.insert(s) }
        case .name(let n): names.insert(n)
        case .list(let items): for i in items { collect(i, names: &names, texts: &texts) }
        case .dict(let pairs): for (k, v) in pairs { collect(k, names: &names, texts: &texts); collect(v, names: &names, texts: &texts) }
        case .attribute(let base, let n):
            names.insert(n)
            collect(base, names: &names, texts: &texts)
        case .index(let a, let b), .and(let a, let b), .or(let a, let b), .binary(_, let a, let b):
            collect(a, names: &names, texts: &texts)
            collect(b, names: &names, texts: &texts)
        case .slice(let base, let a, let b, let c):
            for x in [base, a, b, c].compactMap({ $0 }) { collect(x, names: &names, texts: &texts) }
        case .call(let callee, let args):
            collect(callee, names: &names, texts: &texts)
            arguments(args)
        case .filter(let base, _, let args), .test(let base, _, let args, _):
            collect(base, names: &names, texts: &texts)
            arguments(args)
        case .negate(let x), .plus(let x), .not(let x): collect(x, names: &names, texts: &texts)
        case .compare(let first, let rest):
            collect(first, names: &names, texts: &texts)
            for (_, x) in rest { collect(x, names: &names, texts: &texts) }
        case .conditional(let a, let c, let b):
            collect(a, names: &names, texts: &texts)
            collect(c, names: &names, texts: &texts)
            if let b { collect(b, names: &names, texts: &texts) }
        }
    }
}
