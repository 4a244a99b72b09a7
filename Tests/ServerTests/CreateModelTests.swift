import Foundation
import OllamaAPI
import Runtime
import Testing

@Suite(.serialized) struct CreateModelTests {
    @Test func modelfileLayersShowUpInShow() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let modelfile = "FROM scripted\nSYSTEM Be brief.\nPARAMETER temperature 0.1\nPARAMETER stop <|im_end|>\nMESSAGE user hello\n"
        let answer = try await server.client.call("POST", "/api/create", CreateRequest(model: "brief", modelfile: modelfile, stream: false), as: ProgressResponse.self)
        #expect(answer.status == "success")
        let show = try await server.client.call("POST", "/api/show", ShowRequest(model: "brief"), as: ShowResponse.self)
        #expect(show.system == "Be brief.")
        #expect(show.parameters == "stop                           \"<|im_end|>\"\ntemperature                    0.1")
        #expect(show.messages?.first?.content == "hello")
        #expect(show.modelfile?.contains("SYSTEM \"\"\"Be brief.\"\"\"") == true)
        // The new model generates with its system prompt and parameters in place.
        let generated = try await server.client.call("POST", "/api/generate", GenerateRequest(model: "brief", prompt: "x", stream: false), as: GenerateResponse.self)
        #expect(generated.response == TestServer.answer)
    }

    @Test func streamedCreateEndsWithSuccess() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let answer = try await server.raw("POST", "/api/create", #"{"model":"copy2","from":"scripted"}"#)
        let lines = answer.text.split(separator: "\n").map(String.init)
        #expect(lines.last == #"{"status":"success"}"#)
        #expect(lines.contains(#"{"status":"writing manifest"}"#))
    }

    @Test func createFromAnUploadedBlob() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let stored = try server.store.storedModel(ModelName("scripted")!)
        let weights = try Data(contentsOf: stored.modelFile)
        let digest = "sha256:" + SHA256Digest.hex(of: weights)
        var request = CreateRequest(model: "fromblob", stream: false)
        request.files = ["model.gguf": digest]
        let answer = try await server.client.call("POST", "/api/create", request, as: ProgressResponse.self)
        #expect(answer.status == "success")
        let show = try await server.client.call("POST", "/api/show", ShowRequest(model: "fromblob"), as: ShowResponse.self)
        #expect(show.details.family == "llama")
    }

    @Test func badInputsAreRejected() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        #expect(try await server.raw("POST", "/api/create", #"{"model":"../x","from":"scripted"}"#).text == #"{"error":"invalid model name"}"#)
        #expect(try await server.raw("POST", "/api/create", #"{"model":"a","files":{"m.gguf":"sha256:zz"}}"#).text == #"{"error":"invalid digest format"}"#)
        let missing = try await server.raw("POST", "/api/create", #"{"model":"a","from":"absent","stream":false}"#)
        #expect(missing.status == 404)
        let streamed = try await server.raw("POST", "/api/create", #"{"model":"a","from":"absent"}"#)
        #expect(streamed.text.hasPrefix(#"{"error":"base model 'absent:latest' not found"#))
        let badParameter = try await server.raw("POST", "/api/create", #"{"model":"a","modelfile":"FROM scripted\nPARAMETER top_k many"}"#)
        #expect(badParameter.status == 400)
    }
}

@Suite(.serialized) struct ModelfileTemplateTests {
    /// A Modelfile TEMPLATE replaces the model's chat template: a template that repeats the
    /// prompt around a separator evaluates twice the prompt's tokens plus one.
    @Test func modelfileTemplateShapesThePrompt() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        for (name, template) in [("once", "{{ .Prompt }}"), ("twice", "{{ .Prompt }}|{{ .Prompt }}")] {
            let modelfile = "FROM scripted\nTEMPLATE \"\"\"\(template)\"\"\"\n"
            let created = try await server.client.call("POST", "/api/create", CreateRequest(model: name, modelfile: modelfile, stream: false), as: ProgressResponse.self)
            #expect(created.status == "success")
        }
        let once = try await server.client.call("POST", "/api/generate", GenerateRequest(model: "once", prompt: "hello", stream: false), as: GenerateResponse.self)
        let twice = try await server.client.call("POST", "/api/generate", GenerateRequest(model: "twice", prompt: "hello", stream: false), as: GenerateResponse.self)
        let onceCount = once.metrics.promptEvalCount
        #expect(onceCount > 0)
        #expect(twice.metrics.promptEvalCount == 2 * onceCount + 1)
    }
}
