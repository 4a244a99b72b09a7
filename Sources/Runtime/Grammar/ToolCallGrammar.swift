import ChatTemplate

/// A function a request offers the model: its name and the JSON schema of its arguments
/// (nil: any object), as the request wrote them.
public struct ToolSchema: Sendable {
    public var name: String
    public var parameters: SchemaValue?

    public init(name: String, parameters: SchemaValue?) {
        self.name = name
        self.parameters = parameters
    }
}

extension Grammar {
    /// Answers in which every tool call the model writes in `format` calls one of `tools` with
    /// arguments valid against that tool's schema; the text around the calls stays free.
    ///
    /// A call is `{"name": <a tool's name>, "arguments": <its arguments>}` (`"parameters"` for
    /// Llama 3, as its template asks), one alternative per tool. Parts of a schema outside the
    /// supported subset allow any value there (`jsonSchemaBestEffort`): Ollama does not constrain
    /// tool calls at all, so a request never fails for them.
    ///
    /// Nil for Mistral's format: its `[TOOL_CALLS]` marker is a control token, which a grammar
    /// never matches, so a constraint would forbid the call itself.
    public static func toolCalls(_ tools: [ToolSchema], format: ToolCallFormat) -> Grammar? {
        guard !tools.isEmpty else { return nil }
        let builder = GrammarBuilder()
        switch format {
        case let .tagged(open, close):
            let call = builder.rule(callObject(tools, argumentsKey: "arguments", in: builder))
            let tagged = GrammarExpression.sequence([
                .textThrough(marker: Array(open.utf8)), JSONGrammar.whitespace, .rule(call), JSONGrammar.whitespace, .literal(close),
            ])
            return builder.build(start: .sequence([.zeroOrMore(tagged), .textWithout(marker: Array(open.utf8))]), name: "tool calls")
        case .llama3JSON:
            // The reply is either calls (a JSON object first, several joined by `;`) or text that
            // does not start with `{` (tool-call parser: `replyStart`).
            let call = builder.rule(callObject(tools, argumentsKey: "parameters", in: builder))
            let space = ByteSet(Array(" \t\r\n".utf8))
            let calls = GrammarExpression.sequence([
                .rule(call),
                .zeroOrMore(.sequence([JSONGrammar.whitespace, .byte(UInt8(ascii: ";")), JSONGrammar.whitespace, .rule(call)])),
                JSONGrammar.whitespace,
            ])
            let text = GrammarExpression.sequence([
                .bytes(ByteSet.all.subtracting(space).subtracting(.byte(UInt8(ascii: "{")))), .zeroOrMore(.bytes(.all)),
            ])
            return builder.build(start: .sequence([.zeroOrMore(.bytes(space)), .choice([calls, text, .empty])]), name: "tool calls")
        case .mistral:
            return nil
        }
    }

    /// `{"name": "<tool>", "<argumentsKey>": <arguments>}` for each tool.
    private static func callObject(_ tools: [ToolSchema], argumentsKey: String, in builder: GrammarBuilder) -> GrammarExpression {
        .choice(tools.map { tool in
            let arguments = tool.parameters.map(Grammar.jsonSchemaBestEffort) ?? .jsonObject
            return JSONGrammar.object([
                .init(JSONGrammar.member(key: .literal("\"name\""), value: .literal(SchemaValue.string(tool.name).jsonText)), .required),
                .init(JSONGrammar.member(key: .literal(SchemaValue.string(argumentsKey).jsonText), value: .rule(builder.rule(embedding: arguments))), .required),
            ])
        })
    }
}
