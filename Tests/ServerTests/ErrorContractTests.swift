import Foundation
import OllamaAPI
import Testing

/// The rows of the contract's error table that need no real model.
@Suite(.serialized) struct ErrorContractTests {
    @Test func errorBodiesMatchOllama() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let cases: [(String, String, String?, Int, String)] = [
            ("POST", "/api/generate", "", 400, #"{"error":"missing request body"}"#),
            ("POST", "/api/generate", "{}", 404, #"{"error":"model '' not found"}"#),
            ("POST", "/api/chat", "{}", 400, #"{"error":"model is required"}"#),
            ("POST", "/api/show", "{}", 400, #"{"error":"model is required"}"#),
            ("POST", "/api/generate", #"{"model":"nope","prompt":"x"}"#, 404, #"{"error":"model 'nope' not found"}"#),
            ("POST", "/api/embed", #"{"model":"nope","input":"x"}"#, 404, #"{"error":"model \"nope\" not found, try pulling it first"}"#),
            ("POST", "/api/show", #"{"model":"nope"}"#, 404, #"{"error":"model 'nope:latest' not found"}"#),
            ("POST", "/api/copy", #"{"source":"nope","destination":"b"}"#, 404, #"{"error":"model \"nope\" not found"}"#),
            ("DELETE", "/api/delete", #"{"model":"nope"}"#, 404, #"{"error":"model 'nope' not found"}"#),
            ("POST", "/api/generate", #"{"model":"../../etc","prompt":"x"}"#, 400, #"{"error":"invalid model name"}"#),
            ("POST", "/api/generate", #"{"model":"scripted","prompt":"x","keep_alive":"300"}"#, 400, #"{"error":"time: missing unit in duration \"300\""}"#),
            ("POST", "/api/generate", #"{"model":"scripted","prompt":"x","options":{"temperature":"hot"}}"#, 400, #"{"error":"option \"temperature\" must be of type float32"}"#),
            ("POST", "/api/embed", #"{"model":"scripted","input":5}"#, 400, #"{"error":"invalid input type"}"#),
            ("POST", "/api/generate", #"{"model":"scripted","prompt":"x","top_logprobs":21}"#, 400, #"{"error":"top_logprobs must be between 0 and 20"}"#),
        ]
        for (method, path, body, status, expected) in cases {
            let answer = try await server.raw(method, path, body)
            #expect(answer.status == status, "\(method) \(path) \(body ?? "")")
            #expect(answer.text == expected, "\(method) \(path) \(body ?? "")")
        }
    }

    @Test func unknownPathsAndWrongMethodsAnswerAsGin() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let missing = try await server.raw("GET", "/api/nothing")
        #expect(missing.status == 404 && missing.text == "404 page not found")
        let wrong = try await server.raw("GET", "/api/chat")
        #expect(wrong.status == 405 && wrong.text == "405 method not allowed")
        #expect(wrong.headers["allow"] == "POST")
    }

    @Test func openAIErrorsUseErrorObjects() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let missing = try await server.raw("POST", "/v1/chat/completions", #"{"model":"nope","messages":[{"role":"user","content":"x"}]}"#)
        #expect(missing.status == 404)
        #expect(missing.text == #"{"error":{"code":null,"message":"model 'nope' not found","param":null,"type":"not_found_error"}}"#)
        let empty = try await server.raw("POST", "/v1/chat/completions", #"{"model":"scripted","messages":[]}"#)
        #expect(empty.status == 400 && empty.text.contains("[] is too short - 'messages'"))
    }

    @Test func hostAndOriginChecksGuardLoopback() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let evilOrigin = try await server.send(headers: [("Origin", "https://evil.example")])
        #expect(evilOrigin.status == 403 && evilOrigin.text.isEmpty)
        let localOrigin = try await server.send(headers: [("Origin", "http://localhost:3000")])
        #expect(localOrigin.status == 200 && localOrigin.headers["access-control-allow-origin"] == "http://localhost:3000")
    }
}
