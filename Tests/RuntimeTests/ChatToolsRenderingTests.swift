import ChatTemplate
import Foundation
import Testing
import TestSupport
@testable import Runtime

/// `ChatTemplatePromptFormat` renders tools, tool calls, tool results and thinking exactly as
/// transformers does: the conversations of the chat-template goldens (made with Python's
/// jinja2), turned into `ChatMessage`s the way the server builds them, render byte-identical.
struct ChatToolsRenderingTests {
    struct Golden: Sendable, CustomTestStringConvertible {
        let template: String
        let conversation: String
        var testDescription: String { "\(template) × \(conversation)" }
    }

    static let fixtures = TestModels.repositoryRoot().appendingPathComponent("Tests/ChatTemplateTests/Fixtures")

    static let cases: [Golden] = ["qwen2.5-tools.jinja", "qwen3-thinking.jinja", "deepseek-r1.jinja"].flatMap { template in
        ["tools-offered", "tool-call-and-result", "thinking-on", "thinking-off", "multi-turn"].map { Golden(template: template, conversation: $0) }
    }

    static func goldens() throws -> OrderedDictionary<String, Value> {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("chat-template-goldens.json"))
        guard case .dict(let root) = try JSON.parse(String(decoding: data, as: UTF8.self)) else { throw GoldenFileError() }
        return root
    }

    struct GoldenFileError: Error {}

    /// A message of the goldens (transformers' shape) as a client's message.
    static func message(_ value: Value) throws -> ChatMessage {
        guard case .dict(let d) = value, case .string(let role)? = d["role"], case .string(let content)? = d["content"] else { throw GoldenFileError() }
        var calls: [ParsedToolCall] = []
        if case .list(let items)? = d["tool_calls"] {
            for item in items {
                guard case .dict(let call) = item, case .dict(let function)? = call["function"], case .string(let name)? = function["name"],
                      case .dict(let arguments)? = function["arguments"] else { throw GoldenFileError() }
                calls.append(ParsedToolCall(name: name, arguments: arguments))
            }
        }
        func text(_ key: String) -> String? { if case .string(let s)? = d[key] { s } else { nil } }
        return ChatMessage(role: role, content: content, thinking: text("reasoning_content"), toolCalls: calls,
                           toolName: text("name"), toolCallID: text("tool_call_id"))
    }

    @Test(arguments: cases)
    func rendersLikeTransformers(_ golden: Golden) throws {
        let root = try Self.goldens()
        guard case .dict(let conversations)? = root["conversations"], case .dict(let conversation)? = conversations[golden.conversation],
              case .list(let messages)? = conversation["messages"], case .dict(let templates)? = root["templates"],
              case .dict(let info)? = templates[golden.template], case .dict(let tokens)? = info["special_tokens"],
              case .list(let cases)? = root["cases"] else { throw GoldenFileError() }
        let expected = cases.compactMap { c -> String? in
            guard case .dict(let d) = c, d["template"] == .string(golden.template), d["conversation"] == .string(golden.conversation),
                  case .string(let output)? = d["output"] else { return nil }
            return output
        }.first
        let source = try String(contentsOf: Self.fixtures.appendingPathComponent("templates/\(golden.template)"), encoding: .utf8)
        func token(_ key: String) -> String { if case .string(let s)? = tokens[key] { s } else { "" } }
        let format = try ChatTemplatePromptFormat(source: source, beginOfSequence: token("bos_token"), endOfSequence: token("eos_token"))
        var tools: [Value]?
        if case .list(let list)? = conversation["tools"] { tools = list }
        var think: Bool?
        if case .bool(let flag)? = conversation["enable_thinking"] { think = flag }
        var addGenerationPrompt = false
        if case .bool(let flag)? = conversation["add_generation_prompt"] { addGenerationPrompt = flag }
        let rendered = try format.render(try messages.map(Self.message), tools: tools, think: think, addGenerationPrompt: addGenerationPrompt)
        #expect(rendered == (try #require(expected)))
    }

    @Test func qwenTemplatesReportTheirCapabilities() throws {
        func capabilities(_ name: String) throws -> TemplateCapabilities {
            let source = try String(contentsOf: Self.fixtures.appendingPathComponent("templates/\(name)"), encoding: .utf8)
            return try ChatTemplatePromptFormat(source: source, beginOfSequence: "", endOfSequence: "").capabilities
        }
        #expect(try capabilities("qwen2.5-tools.jinja") == [.tools])
        #expect(try capabilities("qwen3-thinking.jinja") == [.thinking])
        #expect(try capabilities("chatml.jinja") == [])
        #expect(ChatMLPromptFormat().capabilities == [])
    }
}
