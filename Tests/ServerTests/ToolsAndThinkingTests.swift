import Foundation
import OllamaAPI
import Server
import Testing

/// Tool calls and thinking reach clients in Ollama's shapes; models whose template cannot do
/// either are refused with Ollama's messages.
@Suite(.serialized) struct ToolsAndThinkingTests {
    static let weatherTool = #"{"type":"function","function":{"name":"get_weather","description":"Weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city"]}}}"#
    static let thinkThenCall = "<think>\nThe user wants the weather.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\", \"days\": 2}}\n</tool_call>"

    static func server(answer: String = thinkThenCall) async throws -> TestServer {
        try await TestServer(templated: ["qwen:latest": TemplatedModel(chatTemplate: TemplatedModel.qwenTemplate, answer: answer)])
    }

    static func lines<Line: Decodable>(_ text: String, as type: Line.Type) throws -> [Line] {
        try text.split(separator: "\n").map { try WireCoding.decode(Line.self, from: Data($0.utf8)) }
    }

    @Test func streamedChatSendsThinkingThenOneCompleteToolCall() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let body = #"{"model":"qwen","messages":[{"role":"user","content":"Weather in Zürich?"}],"tools":[\#(Self.weatherTool)]}"#
        let answer = try await server.raw("POST", "/api/chat", body)
        #expect(answer.status == 200)
        let chunks = try Self.lines(answer.text, as: ChatResponse.self)
        #expect(chunks.compactMap(\.message.thinking).joined() == "The user wants the weather.")
        #expect(chunks.map(\.message.content).joined() == "")
        let withCalls = chunks.filter { $0.message.toolCalls != nil }
        try #require(withCalls.count == 1)
        let call = try #require(withCalls[0].message.toolCalls?.first)
        #expect(call.function.name == "get_weather" && call.function.index == 0)
        #expect(call.function.arguments == .object([("city", .string("Zürich")), ("days", .number(2))]))
        #expect(call.id?.hasPrefix("call_") == true && call.id?.count == 13)
        #expect(chunks.last?.done == true && chunks.last?.doneReason == "stop")
        // The call arrives whole, not as argument deltas.
        #expect(answer.text.contains(#""tool_calls":[{"function":{"arguments":{"city":"Zürich","days":2},"index":0,"name":"get_weather"}"#))
    }

    @Test func nonStreamedChatGathersThinkingAndToolCalls() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let body = #"{"model":"qwen","stream":false,"think":true,"messages":[{"role":"user","content":"Weather?"}],"tools":[\#(Self.weatherTool)]}"#
        let answer = try await server.raw("POST", "/api/chat", body)
        let response = try WireCoding.decode(ChatResponse.self, from: Data(answer.text.utf8))
        #expect(response.message.thinking == "The user wants the weather.")
        #expect(response.message.content == "")
        #expect(response.message.toolCalls?.map(\.function.name) == ["get_weather"])
    }

    @Test func toolCallIsHeldToTheOfferedToolsWhileDecoding() async throws {
        // The model misspells the tool; the constraint lets only an offered name through.
        let misspelt = Self.thinkThenCall.replacingOccurrences(of: "get_weather", with: "get_weathex")
        let server = try await Self.server(answer: misspelt)
        defer { Task { await server.stop() } }
        for path in ["/api/chat", "/v1/chat/completions"] {
            let body = #"{"model":"qwen","stream":false,"messages":[{"role":"user","content":"Weather?"}],"tools":[\#(Self.weatherTool)]}"#
            let answer = try await server.raw("POST", path, body)
            #expect(answer.status == 200)
            #expect(answer.text.contains("get_weather") && !answer.text.contains("get_weathex"), "\(path): \(answer.text)")
        }
    }

    @Test func toolResultsInTheHistoryReachTheTemplate() async throws {
        let server = try await Self.server(answer: "It is sunny.")
        defer { Task { await server.stop() } }
        let body = #"""
        {"model":"qwen","stream":false,"tools":[\#(Self.weatherTool)],"messages":[
         {"role":"user","content":"Weather?"},
         {"role":"assistant","content":"","thinking":"Look it up.","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Bern"}}}]},
         {"role":"tool","tool_name":"get_weather","content":"sunny"}]}
        """#
        let answer = try await server.raw("POST", "/api/chat", body)
        let response = try WireCoding.decode(ChatResponse.self, from: Data(answer.text.utf8))
        #expect(response.message.content == "It is sunny.")
        #expect(response.message.toolCalls == nil)
    }

    @Test func generateSplitsThinkingFromTheResponse() async throws {
        let server = try await Self.server(answer: "<think>Two and two.</think>\n\nFour.")
        defer { Task { await server.stop() } }
        let answer = try await server.raw("POST", "/api/generate", #"{"model":"qwen","prompt":"2+2?","think":true}"#)
        let chunks = try Self.lines(answer.text, as: GenerateResponse.self)
        #expect(chunks.compactMap(\.thinking).joined() == "Two and two.")
        #expect(chunks.map(\.response).joined() == "Four.")
    }

    @Test func modelWithoutToolsOrThinkingIsRefused() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let tools = try await server.raw("POST", "/api/chat",
                                         #"{"model":"scripted","messages":[{"role":"user","content":"hi"}],"tools":[\#(Self.weatherTool)]}"#)
        #expect(tools.status == 400)
        #expect(tools.text == #"{"error":"registry.ollama.ai/library/scripted:latest does not support tools"}"#)
        let think = try await server.raw("POST", "/api/chat", #"{"model":"scripted","messages":[{"role":"user","content":"hi"}],"think":true}"#)
        #expect(think.status == 400)
        #expect(think.text == #"{"error":"\"scripted\" does not support thinking"}"#)
        let generate = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"hi","think":"high"}"#)
        #expect(generate.text == #"{"error":"\"scripted\" does not support thinking"}"#)
        // think:false and an empty tools list are fine.
        let fine = try await server.raw("POST", "/api/chat", #"{"model":"scripted","messages":[{"role":"user","content":"hi"}],"think":false,"tools":[],"stream":false}"#)
        #expect(fine.status == 200)
    }

    @Test func showReportsCapabilitiesFromTheTemplate() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let templated = try await server.client.call("POST", "/api/show", ShowRequest(model: "qwen"), as: ShowResponse.self)
        #expect(templated.capabilities == ["completion", "tools", "thinking"])
        let plain = try await server.client.call("POST", "/api/show", ShowRequest(model: "scripted"), as: ShowResponse.self)
        #expect(plain.capabilities == ["completion"])
    }

    @Test func openAIChatReturnsToolCallsAndReasoning() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let body = #"{"model":"qwen","messages":[{"role":"user","content":"Weather?"}],"tools":[\#(Self.weatherTool)]}"#
        let answer = try await server.raw("POST", "/v1/chat/completions", body)
        let completion = try WireCoding.decode(ChatCompletion.self, from: Data(answer.text.utf8))
        let choice = try #require(completion.choices.first)
        #expect(choice.finishReason == "tool_calls")
        #expect(choice.message.reasoning == "The user wants the weather.")
        let call = try #require(choice.message.toolCalls?.first)
        #expect(call.type == "function" && call.function.name == "get_weather")
        #expect(call.function.arguments == #"{"city":"Zürich","days":2}"#)

        let streamed = try await server.raw("POST", "/v1/chat/completions", String(body.dropLast()) + #","stream":true}"#)
        let events = streamed.text.components(separatedBy: "\n\n").filter { $0.hasPrefix("data: {") }
        let chunks = try events.map { try WireCoding.decode(ChatCompletionChunk.self, from: Data($0.dropFirst(6).utf8)) }
        #expect(chunks.compactMap { $0.choices.first?.delta.reasoning }.joined() == "The user wants the weather.")
        #expect(chunks.compactMap { $0.choices.first?.delta.toolCalls }.flatMap { $0 }.map(\.function.name) == ["get_weather"])
        #expect(chunks.last?.choices.first?.finishReason == "tool_calls")
        #expect(streamed.text.hasSuffix("data: [DONE]\n\n"))
    }
}

extension ToolsAndThinkingTests {
    static func openedThinkingServer(answer: String) async throws -> TestServer {
        try await TestServer(templated: ["r1:latest": TemplatedModel(chatTemplate: TemplatedModel.openedThinkingTemplate, answer: answer,
                                                                     promptTail: "<think>\n")])
    }

    @Test func promptThatOpensThinkingSplitsTheAnswer() async throws {
        let server = try await Self.openedThinkingServer(answer: "France's capital.\n</think>\n\nParis.")
        defer { Task { await server.stop() } }
        let answer = try await server.raw("POST", "/api/chat", #"{"model":"r1","stream":false,"messages":[{"role":"user","content":"Capital?"}]}"#)
        let response = try WireCoding.decode(ChatResponse.self, from: Data(answer.text.utf8))
        #expect(response.message.thinking == "France's capital.")
        #expect(response.message.content == "Paris.")
    }

    @Test func formatConstraintAppliesAfterTheThinking() async throws {
        let server = try await Self.openedThinkingServer(answer: "Numbers.\n</think>{\"a\": 1}")
        defer { Task { await server.stop() } }
        let answer = try await server.raw("POST", "/api/chat", #"{"model":"r1","stream":false,"format":"json","messages":[{"role":"user","content":"JSON?"}]}"#)
        let response = try WireCoding.decode(ChatResponse.self, from: Data(answer.text.utf8))
        #expect(response.message.thinking == "Numbers.")
        #expect(response.message.content == #"{"a": 1}"#)
    }
}
