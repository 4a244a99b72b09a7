import Foundation
import OllamaAPI
import Server
import Testing

@Suite(.serialized) struct NativeGenerationTests {
    @Test func streamingGenerateSendsOneJSONObjectPerLine() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let answer = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"hi"}"#)
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"] == "application/x-ndjson")
        #expect(answer.text.hasSuffix("}\n"))
        let lines = answer.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.allSatisfy { !$0.isEmpty })
        let chunks = try lines.map { try WireCoding.decode(GenerateResponse.self, from: Data($0.utf8)) }
        #expect(chunks.map(\.response).joined() == TestServer.answer)
        #expect(chunks.dropLast().allSatisfy { !$0.done && $0.doneReason == nil })
        let final = try #require(chunks.last)
        #expect(final.done && final.doneReason == "stop" && final.model == "scripted")
        #expect(final.metrics.loadDuration >= 1 && final.metrics.totalDuration > 0 && final.metrics.evalCount == TestServer.answer.utf8.count)
        #expect(final.context?.isEmpty == false)
    }

    @Test func nonStreamingGenerateConcatenatesTheAnswer() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let answer = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"hi","stream":false}"#)
        #expect(answer.headers["content-type"] == "application/json; charset=utf-8")
        let response = try WireCoding.decode(GenerateResponse.self, from: Data(answer.text.utf8))
        #expect(response.response == TestServer.answer)
        #expect(response.done && response.doneReason == "stop")
        #expect(answer.text.contains(#""created_at":""#) && answer.text.contains("Z\""))
    }

    @Test func contextRoundTripsIntoTheNextPrompt() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let first = try await server.client.call("POST", "/api/generate", GenerateRequest(model: "scripted", prompt: "a", stream: false), as: GenerateResponse.self)
        var request = GenerateRequest(model: "scripted", prompt: "b", stream: false)
        request.context = first.context
        let second = try await server.client.call("POST", "/api/generate", request, as: GenerateResponse.self)
        let context = try #require(second.context)
        #expect(context.starts(with: try #require(first.context)))
    }

    @Test func rawModeHasNoContextAndRejectsSystem() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let answer = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"x\n","raw":true,"stream":false}"#)
        let response = try WireCoding.decode(GenerateResponse.self, from: Data(answer.text.utf8))
        #expect(response.response == TestServer.answer)
        #expect(!answer.text.contains("\"context\""))
        let conflict = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"x","raw":true,"system":"s"}"#)
        #expect(conflict.status == 400)
        #expect(conflict.text == #"{"error":"raw mode does not support template, system, or context"}"#)
    }

    @Test func streamingChatChunksAllCarryAssistantMessages() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        var chunks: [ChatResponse] = []
        for try await chunk in server.client.stream("/api/chat", ChatRequest(model: "scripted", messages: [Message(role: "user", content: "hi")]), as: ChatResponse.self) {
            chunks.append(chunk)
        }
        #expect(chunks.allSatisfy { $0.message.role == "assistant" })
        #expect(chunks.map(\.message.content).joined() == TestServer.answer)
        #expect(chunks.last?.done == true && chunks.last?.doneReason == "stop")
    }

    @Test func emptyRequestsLoadAndUnload() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let load = try await server.raw("POST", "/api/chat", #"{"model":"scripted","messages":[]}"#)
        #expect(load.text.contains(#""done_reason":"load""#) && load.text.contains(#""message":{"content":"","role":"assistant"}"#))
        var ps = try await server.client.call("GET", "/api/ps", Optional<ErrorResponse>.none, as: ProcessResponse.self)
        #expect(ps.models.map(\.name) == ["scripted:latest"])
        let unload = try await server.raw("POST", "/api/generate", #"{"model":"scripted","keep_alive":0}"#)
        #expect(unload.text.contains(#""done_reason":"unload""#))
        for _ in 0 ..< 100 where !ps.models.isEmpty {
            try await Task.sleep(nanoseconds: 10_000_000)
            ps = try await server.client.call("GET", "/api/ps", Optional<ErrorResponse>.none, as: ProcessResponse.self)
        }
        #expect(ps.models.isEmpty)
    }

    @Test func fullQueueAnswers503() async throws {
        var settings = ServerSettings()
        settings.scheduler.maxQueue = 1
        let server = try await TestServer(settings: settings, endless: ["scripted:latest"], tokenDelayNanoseconds: 2_000_000)
        defer { Task { await server.stop() } }
        let body = #"{"model":"scripted","prompt":"x","options":{"num_predict":150},"stream":false}"#
        let first = Task { try await server.raw("POST", "/api/generate", body) }
        try await Task.sleep(nanoseconds: 100_000_000)
        let second = Task { try await server.raw("POST", "/api/generate", body) }
        try await Task.sleep(nanoseconds: 100_000_000)
        let third = try await server.raw("POST", "/api/generate", body)
        #expect(third.status == 503)
        #expect(third.text == #"{"error":"server busy, please try again.  maximum pending requests exceeded"}"#)
        #expect(try await first.value.status == 200)
        #expect(try await second.value.status == 200)
    }

    @Test func clientDisconnectFreesTheModelForTheNextRequest() async throws {
        let server = try await TestServer(endless: ["scripted:latest"], tokenDelayNanoseconds: 20_000_000)
        defer { Task { await server.stop() } }
        let reader = Task {
            var received = 0
            for try await _ in server.client.stream("/api/generate", GenerateRequest(model: "scripted", prompt: "x"), as: GenerateResponse.self) {
                received += 1
                if received == 3 { break }
            }
            return received
        }
        #expect(try await reader.value == 3)
        // The stream is gone, so the client closed the connection: the endless generation must
        // stop and free the model.
        let start = Date()
        let next = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"y","options":{"num_predict":2},"stream":false}"#)
        #expect(next.status == 200)
        #expect(Date().timeIntervalSince(start) < 2)
    }
}

@Suite(.serialized) struct TemplateOverrideTests {
    @Test func goTemplateOverrideShapesThePrompt() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        var request = GenerateRequest(model: "scripted", prompt: "hi", stream: false)
        request.template = "[{{ .System }}] {{ .Prompt }}\n"
        request.system = "S"
        let answer = try await server.client.call("POST", "/api/generate", request, as: GenerateResponse.self)
        #expect(answer.response == TestServer.answer)
        let prompt = try #require(answer.context).prefix(7).map { UInt8($0 - 3) }
        #expect(String(decoding: prompt, as: UTF8.self) == "[S] hi\n")
    }

    @Test func suffixNeedsATemplateThatPlacesIt() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let refused = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"a","suffix":"b"}"#)
        #expect(refused.status == 400 && refused.text == #"{"error":"registry.ollama.ai/library/scripted:latest does not support insert"}"#)
        let accepted = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"a","suffix":"b","template":"<{{ .Prompt }}|{{ .Suffix }}>\n","stream":false}"#)
        #expect(accepted.status == 200)
        let broken = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"a","template":"{{ .Nope"}"#)
        #expect(broken.status == 400 && broken.text.hasPrefix(#"{"error":"template: "#))
    }
}
