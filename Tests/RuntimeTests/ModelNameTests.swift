import Testing
@testable import Runtime

@Suite struct ModelNameTests {
    @Test(arguments: [
        ("llama3.2", "registry.ollama.ai", "library", "llama3.2", "latest", "llama3.2:latest"),
        ("smollm2:135m", "registry.ollama.ai", "library", "smollm2", "135m", "smollm2:135m"),
        ("user/m:7b", "registry.ollama.ai", "user", "m", "7b", "user/m:7b"),
        ("hf.co/bartowski/X-GGUF:Q4_K_M", "hf.co", "bartowski", "X-GGUF", "Q4_K_M", "hf.co/bartowski/X-GGUF:Q4_K_M"),
        ("localhost:5000/ns/model", "localhost:5000", "ns", "model", "latest", "localhost:5000/ns/model:latest"),
    ])
    func normalisesAsOllamaDoes(text: String, host: String, namespace: String, model: String, tag: String, shortest: String) throws {
        let name = try #require(ModelName(text))
        #expect(name.host == host)
        #expect(name.namespace == namespace)
        #expect(name.model == model)
        #expect(name.tag == tag)
        #expect(name.displayShortest == shortest)
    }

    @Test(arguments: ["", "m:", "/m", "../etc/passwd", "a/b/c/d", "..", "a b", "/abs/path", "model:..", "ns/../x", "-model", "名前"])
    func rejectsNamesThatAreInvalidOrEscapeTheStore(text: String) {
        #expect(ModelName(text) == nil)
    }
}

@Suite struct ModelStoreTests {
    @Test func defaultRootFollowsTheEnvironment() {
        #expect(ModelStore.defaultRoot(environment: ["AXLLAMA_MODELS": "/a", "OLLAMA_MODELS": "/b"]).path == "/a")
        #expect(ModelStore.defaultRoot(environment: ["OLLAMA_MODELS": "/b"]).path == "/b")
        #expect(ModelStore.defaultRoot(environment: ["HOME": "/home/x"]).path == "/home/x/.axllama/models")
    }

    @Test func manifestPathsStayInsideTheStore() throws {
        let store = ModelStore(root: .init(fileURLWithPath: "/store"))
        let name = try #require(ModelName("user/m:7b"))
        #expect(store.manifestURL(for: name).path == "/store/manifests/registry.ollama.ai/user/m/7b")
        #expect(store.blobURL(digest: "sha256:abc").path == "/store/blobs/sha256-abc")
    }

    @Test func missingModelIsNotFound() {
        let store = ModelStore(root: .init(fileURLWithPath: "/nonexistent-store"))
        #expect(throws: ModelStoreError.notFound("nothing:latest")) { try store.modelFile(for: "nothing") }
        #expect(throws: ModelStoreError.invalidName("../x")) { try store.modelFile(for: "../x") }
    }
}
