import Foundation
import OllamaAPI
import Testing

@Suite(.serialized) struct ModelEndpointTests {
    @Test func rootAndVersionAnswerLikeOllama() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let root = try await server.raw("GET", "/")
        #expect(root.status == 200 && root.text == "Ollama is running")
        let head = try await server.raw("HEAD", "/")
        #expect(head.status == 200 && head.text.isEmpty)
        let version = try await server.raw("GET", "/api/version")
        #expect(version.text.hasPrefix(#"{"version":"0."#))
    }

    @Test func tagsListTheStoreWithDetails() async throws {
        let server = try await TestServer(models: ["scripted:latest", "team/other:7b"])
        defer { Task { await server.stop() } }
        let tags = try await server.client.call("GET", "/api/tags", Optional<ErrorResponse>.none, as: ListResponse.self)
        #expect(Set(tags.models.map(\.name)) == ["scripted:latest", "team/other:7b"])
        let model = try #require(tags.models.first)
        #expect(model.digest.count == 64 && !model.digest.hasPrefix("sha256"))
        #expect(model.details.family == "llama" && model.details.quantizationLevel == "F32" && model.size > 0)
    }

    @Test func showReturnsMetadataAndAlwaysModelInfo() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let answer = try await server.raw("POST", "/api/show", #"{"name":"scripted"}"#)
        #expect(answer.status == 200)
        let show = try WireCoding.decode(ShowResponse.self, from: Data(answer.text.utf8))
        #expect(show.modelInfo["general.architecture"] == .string("llama"))
        #expect(show.modelInfo["general.name"] == nil)
        // Arrays longer than five elements are elided unless verbose.
        #expect(show.modelInfo["tokenizer.ggml.tokens"] == .array([]))
        #expect(show.capabilities == ["completion"])
        #expect(show.details.contextLength == 256)
        #expect(show.modelfile?.contains("FROM ") == true)
    }

    @Test func copyThenDeleteChangesTheStore() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let copy = try await server.raw("POST", "/api/copy", #"{"source":"scripted","destination":"mine:v1"}"#)
        #expect(copy.status == 200 && copy.text.isEmpty)
        let delete = try await server.raw("DELETE", "/api/delete", #"{"model":"scripted"}"#)
        #expect(delete.status == 200 && delete.text.isEmpty)
        let tags = try await server.client.call("GET", "/api/tags", Optional<ErrorResponse>.none, as: ListResponse.self)
        #expect(tags.models.map(\.name) == ["mine:v1"])
        // The copy still has its weights: deleting one name keeps shared blobs.
        let show = try await server.raw("POST", "/api/show", #"{"model":"mine:v1"}"#)
        #expect(show.status == 200)
    }

    @Test func blobsAreCheckedAndVerified() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let payload = Data("hello blob".utf8)
        let digest = "sha256:" + SHA256Check.hex(payload)
        #expect(try await server.raw("HEAD", "/api/blobs/\(digest)").status == 404)
        #expect(try await server.raw("HEAD", "/api/blobs/sha256:xyz").status == 400)
        let wrong = try await server.client.send("POST", "/api/blobs/sha256:" + String(repeating: "0", count: 64), body: payload)
        #expect(wrong.head.status == 400)
        let created = try await server.client.send("POST", "/api/blobs/\(digest)", body: payload)
        #expect(created.head.status == 201)
        #expect(try await server.raw("HEAD", "/api/blobs/\(digest)").status == 200)
    }

    @Test func pullOfAnUnknownModelEndsWithAnErrorLine() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let answer = try await server.raw("POST", "/api/pull", #"{"model":"llama3.2"}"#)
        #expect(answer.status == 200)
        #expect(answer.text == "{\"status\":\"pulling manifest\"}\n{\"error\":\"pull model manifest: file does not exist\"}\n")
        let present = try await server.raw("POST", "/api/pull", #"{"model":"scripted"}"#)
        #expect(present.text.hasSuffix("{\"status\":\"success\"}\n"))
    }

    @Test func openAIModelsListAndRetrieve() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let list = try await server.raw("GET", "/v1/models")
        #expect(list.text.contains(#""id":"scripted:latest""#) && list.text.contains(#""owned_by":"library""#))
        let one = try await server.raw("GET", "/v1/models/scripted")
        #expect(one.status == 200 && one.text.contains(#""id":"scripted""#))
        let missing = try await server.raw("GET", "/v1/models/nope")
        #expect(missing.status == 404 && missing.text.contains("not_found_error"))
    }
}
