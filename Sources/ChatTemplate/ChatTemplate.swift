import Synchronization

/// A Hugging Face chat template, compiled once and rendered the way transformers renders it
/// (jinja2 ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loop controls).
public struct ChatTemplate: Sendable {
    public let source: String
    let program: [Statement]
    public var limits: RenderLimits
    public var clock: TemplateClock

    /// Compiles the template, or takes it from the cache of recently compiled templates.
    public init(source: String, limits: RenderLimits = .default, clock: TemplateClock = .system) throws(TemplateError) {
        self.source = source
        self.program = try CompiledTemplates.shared.program(for: source)
        self.limits = limits
        self.clock = clock
    }

    /// Renders a conversation with transformers' variables: `messages`, `tools` and `documents`
    /// (None when absent, as transformers passes them), `add_generation_prompt`, plus `extra`
    /// (special tokens such as `bos_token`, flags such as `enable_thinking`).
    public func render(
        messages: [Value],
        tools: [Value]? = nil,
        documents: [Value]? = nil,
        addGenerationPrompt: Bool,
        extra: [String: Value] = [:]
    ) throws(TemplateError) -> String {
        var context = OrderedDictionary<String, Value>()
        context["messages"] = .list(messages)
        context["tools"] = tools.map { .list($0) } ?? .none
        context["documents"] = documents.map { .list($0) } ?? .none
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        for key in extra.keys.sorted() { context[key] = extra[key] }
        return try render(context: context)
    }

    /// Renders with exactly the given top-level variables.
    public func render(context: OrderedDictionary<String, Value>) throws(TemplateError) -> String {
        try Interpreter(limits: limits, clock: clock).render(program, context: context)
    }
}

/// Compiled templates keyed by their text: a server renders the same few templates for every request.
final class CompiledTemplates: Sendable {
    static let shared = CompiledTemplates(capacity: 32)
    private let capacity: Int
    private let entries = Mutex<[(source: String, program: [Statement])]>([])

    init(capacity: Int) { self.capacity = capacity }

    func program(for source: String) throws(TemplateError) -> [Statement] {
        if let hit = entries.withLock({ list -> [Statement]? in
            guard let i = list.firstIndex(where: { $0.source == source }) else { return nil }
            let entry = list.remove(at: i)
            list.append(entry)
            return entry.program
        }) {
            return hit
        }
        let program = try Parser.parse(source)
        entries.withLock { list in
            list.append((source, program))
            if list.count > capacity { list.removeFirst() }
        }
        return program
    }
}
