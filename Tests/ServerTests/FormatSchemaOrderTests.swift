import Foundation
import OllamaAPI
import Testing

/// A schema's `properties` are written in the order the client declared them, even though the
/// decoded request no longer knows that order.
@Suite(.serialized) struct FormatSchemaOrderTests {
    static func server() async throws -> TestServer {
        // The engine would rather write the keys alphabetically.
        try await TestServer(templated: ["ordered:latest": TemplatedModel(chatTemplate: TemplatedModel.qwenTemplate,
                                                                          answer: #"{"alpha": 1, "zeta": 2}"#)])
    }

    /// The grammar may put whitespace around keys; what matters is which key comes first.
    static func zetaComesFirst(_ text: String) -> Bool {
        guard let zeta = text.range(of: "\"zeta\""), let alpha = text.range(of: "\"alpha\"") else { return false }
        return zeta.lowerBound < alpha.lowerBound
    }

    static let schema = #"{"type":"object","properties":{"zeta":{"type":"integer"},"alpha":{"type":"integer"}},"required":["zeta","alpha"]}"#

    @Test func nativeFormatKeepsDeclaredPropertyOrder() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let body = #"{"model":"ordered","stream":false,"options":{"temperature":0,"num_predict":40},"messages":[{"role":"user","content":"JSON"}],"format":"# + Self.schema + "}"
        let answer = try await server.raw("POST", "/api/chat", body)
        let response = try WireCoding.decode(ChatResponse.self, from: Data(answer.text.utf8))
        #expect(Self.zetaComesFirst(response.message.content))
        let object = try JSONSerialization.jsonObject(with: Data(response.message.content.utf8)) as? [String: Any]
        #expect(object?["zeta"] is Int && object?["alpha"] is Int)
    }

    @Test func openAIJSONSchemaKeepsDeclaredPropertyOrder() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let body = #"{"model":"ordered","temperature":0,"max_tokens":40,"messages":[{"role":"user","content":"JSON"}],"response_format":{"type":"json_schema","json_schema":{"name":"o","schema":"# + Self.schema + "}}}"
        let answer = try await server.raw("POST", "/v1/chat/completions", body)
        let object = try JSONSerialization.jsonObject(with: Data(answer.text.utf8)) as? [String: Any]
        let content = ((object?["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
        #expect(Self.zetaComesFirst(content ?? ""))
    }
}
