import Foundation
import OllamaAPI
import Testing

@Suite(.serialized) struct ContextLimitTests {
    @Test func oldestMessagesAreDroppedToFitButSystemStays() async throws {
        let server = try await TestServer(contextLength: 128)
        defer { Task { await server.stop() } }
        let filler = String(repeating: "x", count: 40)
        let messages = [Message(role: "system", content: "SYS")]
            + (0 ..< 4).map { Message(role: $0 % 2 == 0 ? "user" : "assistant", content: "\($0)" + filler) }
            + [Message(role: "user", content: "last")]
        let answer = try await server.client.call("POST", "/api/chat", ChatRequest(model: "scripted", messages: messages, stream: false), as: ChatResponse.self)
        #expect(answer.message.content == TestServer.answer)
        #expect(answer.metrics.promptEvalCount < 128)
    }

    @Test func aPromptThatCannotFitIsA400() async throws {
        let server = try await TestServer(contextLength: 64)
        defer { Task { await server.stop() } }
        let long = String(repeating: "y", count: 200)
        let chat = try await server.raw("POST", "/api/chat", "{\"model\":\"scripted\",\"messages\":[{\"role\":\"user\",\"content\":\"\(long)\"}]}")
        #expect(chat.status == 400)
        #expect(chat.text.contains("the prompt is longer than the context length"))
        let generate = try await server.raw("POST", "/api/generate", "{\"model\":\"scripted\",\"prompt\":\"\(long)\"}")
        #expect(generate.status == 400)
        // The refused request gave the model back: the next one runs.
        let next = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"ok","stream":false}"#)
        #expect(next.status == 200)
    }

    @Test func numCtxLimitsTheRequestButNeverRaisesTheLoadedContext() async throws {
        let server = try await TestServer(contextLength: 256)
        defer { Task { await server.stop() } }
        let body = "{\"model\":\"scripted\",\"prompt\":\"\(String(repeating: "z", count: 60))\",\"options\":{\"num_ctx\":32},\"stream\":false}"
        #expect(try await server.raw("POST", "/api/generate", body).status == 400)
        let wide = "{\"model\":\"scripted\",\"prompt\":\"z\",\"options\":{\"num_ctx\":100000},\"stream\":false}"
        #expect(try await server.raw("POST", "/api/generate", wide).status == 200)
    }
}
