import EngineInterface
import Foundation
import GGUF
import Hummingbird
import Logging
import OllamaAPI
import Runtime
import Server
import TestSupport

/// A real server on a free loopback port over a temporary store whose models run on
/// `ScriptedEngine`s: fast, deterministic, and exercising HTTP framing end to end.
final class TestServer: Sendable {
    let client: OllamaClient
    let store: ModelStore
    let models: ModelService
    private let task: Task<Void, any Error>
    private let directory: URL

    /// The scripted answer: after the generation prompt's final newline, "Howdy!" one byte token
    /// at a time, then end of turn. Each byte is unique, so the next token follows from the last.
    static let answer = "Howdy!"

    static func nextToken(after last: Int32) -> Int32 {
        let bytes = Array(answer.utf8)
        let previous = last - ByteTokenizer.firstByteToken
        if previous == 0x0A { return ByteTokenizer.firstByteToken + Int32(bytes[0]) }
        if let index = bytes.firstIndex(where: { Int32($0) == previous }), index + 1 < bytes.count {
            return ByteTokenizer.firstByteToken + Int32(bytes[index + 1])
        }
        return ByteTokenizer.imEnd
    }

    /// `endless` models never end their answer (for cancellation and queueing tests).
    /// `templated` models carry a chat template in their GGUF and answer with their script.
    init(settings: ServerSettings = ServerSettings(), models names: [String] = ["scripted:latest"], endless: Set<String> = [],
         tokenDelayNanoseconds: UInt64 = 0, contextLength: Int = 256, templated: [String: TemplatedModel] = [:],
         fallback: FallbackPolicy = FallbackPolicy(), wrapEngine: [String: @Sendable (any InferenceEngine) -> any InferenceEngine] = [:],
         report: @escaping @Sendable (String) -> Void = { _ in }, loadDelayNanoseconds: UInt64 = 0) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("axllama-server-\(UUID().uuidString)")
        store = ModelStore(root: directory)
        for name in names { try Self.install(name, in: store) }
        for (name, model) in templated { try Self.install(name, in: store, chatTemplate: model.chatTemplate) }
        var settings = settings
        settings.address = ListenAddress(host: "127.0.0.1", port: 0)
        models = ModelService(store: store, settings: settings, fallback: fallback, report: report) { stored, _ in
            if loadDelayNanoseconds > 0 { try await Task.sleep(nanoseconds: loadDelayNanoseconds) }
            if let model = templated[stored.name.displayShortest] { return try model.session() }
            let endlessModel = endless.contains(stored.name.displayShortest)
            let engine = ScriptedEngine(vocabularySize: ByteTokenizer.vocabularySize, contextLength: contextLength,
                                        delayNanoseconds: tokenDelayNanoseconds) { _, last in
                endlessModel ? ByteTokenizer.firstByteToken + 0x61 : TestServer.nextToken(after: last)
            }
            let wrapped = wrapEngine[stored.name.displayShortest].map { $0(engine) } ?? engine
            return ModelSession(engine: wrapped, tokenizer: try ByteTokenizer.make(), promptFormat: ChatMLPromptFormat())
        }
        let port = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test-server")
        logger.logLevel = .critical
        let app = buildApplication(models: models, logger: logger) { port.continuation.yield($0) }
        task = Task { try await app.run() }
        var bound = 0
        for await value in port.stream {
            bound = value
            break
        }
        client = OllamaClient(host: "127.0.0.1", port: bound)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        try? FileManager.default.removeItem(at: directory)
    }

    /// A store entry whose weights blob is a small GGUF with llama-like metadata.
    static func install(_ text: String, in store: ModelStore, chatTemplate: String? = nil) throws {
        var writer = GGUFWriter()
        if let chatTemplate { writer.add("tokenizer.chat_template", .string(chatTemplate)) }
        writer.add("general.architecture", .string("llama"))
        writer.add("general.name", .string("scripted"))
        writer.add("llama.context_length", .uint32(256))
        writer.add("llama.embedding_length", .uint32(8))
        writer.add("tokenizer.ggml.tokens", .array((0 ..< 10).map { .string("t\($0)") }))
        let weights = try store.addBlob(Data(writer.encoded()), mediaType: ModelManifest.modelMediaType)
        let config = ModelConfigBlob(modelFormat: "gguf", modelFamily: "llama", modelFamilies: ["llama"], modelType: "1K",
                                     fileType: "F32", diffIDs: [weights.digest])
        let configLayer = try store.addBlob(WireCoding.encode(config), mediaType: ModelManifest.configMediaType)
        let manifest = ModelManifest(config: configLayer, layers: [weights])
        try store.writeManifest(manifest, for: ModelName(text)!)
    }

    /// Raw HTTP for framing checks.
    func raw(_ method: String, _ path: String, _ body: String? = nil) async throws -> (status: Int, headers: [String: String], text: String) {
        let (head, data) = try await client.send(method, path, body: body.map { Data($0.utf8) })
        return (head.status, head.headers, String(decoding: data, as: UTF8.self))
    }
}
