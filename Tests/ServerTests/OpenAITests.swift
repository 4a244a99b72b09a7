import Foundation
import OllamaAPI
import Testing

@Suite(.serialized) struct OpenAITests {
    @Test func streamingChatUsesSSEAndEndsWithDone() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let answer = try await server.raw("POST", "/v1/chat/completions",
            #"{"model":"scripted","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}"#)
        #expect(answer.headers["content-type"] == "text/event-stream")
        let events = answer.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(events.allSatisfy { $0.hasPrefix("data: ") })
        #expect(events.last == "data: [DONE]")
        let chunks = try events.dropLast().map { try WireCoding.decode(ChatCompletionChunk.self, from: Data($0.dropFirst(6).utf8)) }
        #expect(chunks.first?.choices.first?.delta.role == "assistant")
        #expect(chunks.compactMap { $0.choices.first?.delta.content }.joined() == TestServer.answer)
        let finish = chunks[chunks.count - 2]
        #expect(finish.choices.first?.finishReason == "stop")
        #expect(chunks.last?.choices.isEmpty == true && chunks.last?.usage?.completionTokens == TestServer.answer.utf8.count)
        #expect(Set(chunks.map(\.id)).count == 1)
    }

    @Test func nonStreamingChatHasUsageAndFinishReason() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let answer = try await server.raw("POST", "/v1/chat/completions", #"{"model":"scripted","messages":[{"role":"user","content":"hi"}]}"#)
        let completion = try WireCoding.decode(ChatCompletion.self, from: Data(answer.text.utf8))
        #expect(completion.object == "chat.completion" && completion.id.hasPrefix("chatcmpl-"))
        #expect(completion.choices.first?.message.content == TestServer.answer)
        #expect(completion.choices.first?.finishReason == "stop")
        #expect(completion.usage.totalTokens == completion.usage.promptTokens + completion.usage.completionTokens)
    }

    @Test func maxTokensEndsWithLength() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let answer = try await server.raw("POST", "/v1/completions", #"{"model":"scripted","prompt":"hi","max_tokens":2}"#)
        let completion = try WireCoding.decode(TextCompletion.self, from: Data(answer.text.utf8))
        #expect(completion.choices.first?.text == "Ho")
        #expect(completion.choices.first?.finishReason == "length")
    }

    @Test func embeddingsAreNormalisedVectors() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let answer = try await server.raw("POST", "/v1/embeddings", #"{"model":"scripted","input":["a","bc"]}"#)
        let list = try WireCoding.decode(OpenAIEmbeddingList.self, from: Data(answer.text.utf8))
        #expect(list.data.count == 2 && list.data[1].index == 1)
        guard case let .array(values) = list.data[0].embedding else { Issue.record("not an array"); return }
        let numbers: [Double] = values.compactMap { if case let .number(v) = $0 { return v } else { return nil } }
        let norm = numbers.reduce(0.0) { $0 + $1 * $1 }
        #expect(abs(norm - 1) < 1e-4)
        let bad = try await server.raw("POST", "/v1/embeddings", #"{"model":"scripted","input":"a","encoding_format":"hex"}"#)
        #expect(bad.status == 400)
    }
}
