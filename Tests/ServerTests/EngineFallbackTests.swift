import EngineInterface
import Foundation
import OllamaAPI
import Runtime
import Server
import Synchronization
import Testing

/// An engine on a device whose health the test sets, standing in for an NPU engine: while the
/// device is down it refuses work as the NPU engine does.
final class DeviceEngine: InferenceEngine, NamedEngine, Sendable {
    let inner: any InferenceEngine
    let engineName = "npu"
    let state = Mutex(EngineHealth.ready)

    init(_ inner: any InferenceEngine) { self.inner = inner }

    var descriptor: ModelDescriptor { inner.descriptor }
    func forward(_ tokens: [TokenID], at position: Int) async throws -> Logits {
        let health = state.withLock { $0 }
        guard health.state == .ready else { throw EngineUnavailableError("the NPU card axcl:0 is \(health.state.rawValue)") }
        return try await inner.forward(tokens, at: position)
    }
    func truncateCache(to length: Int) async { await inner.truncateCache(to: length) }
    func embedding(for tokens: [TokenID]) async throws -> [Float] { try await inner.embedding(for: tokens) }
    func health() async -> EngineHealth { state.withLock { $0 } }
}

/// Who answers while the card is down, and how the response says so (X-Axllama-Engine).
@Suite struct EngineFallbackTests {
    final class Devices: Sendable {
        let engines = Mutex<[DeviceEngine]>([])
        func set(_ health: EngineHealth) { engines.withLock { for engine in $0 { engine.state.withLock { $0 = health } } } }
        var wrap: @Sendable (any InferenceEngine) -> any InferenceEngine {
            { inner in
                let engine = DeviceEngine(inner)
                self.engines.withLock { $0.append(engine) }
                return engine
            }
        }
    }

    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    func engineHeader(_ headers: [String: String]) -> String? {
        headers.first { $0.key.lowercased() == "x-axllama-engine" }?.value
    }

    static let body = #"{"model":"card","prompt":"hi","stream":false}"#

    @Test func healthyCardAnswersAndSaysNPU() async throws {
        let devices = Devices()
        let server = try await TestServer(models: ["card:latest", "cpu:latest"], fallback: FallbackPolicy(model: "cpu"),
                                          wrapEngine: ["card:latest": devices.wrap])
        let answer = try await server.raw("POST", "/api/generate", Self.body)
        #expect(answer.status == 200)
        #expect(engineHeader(answer.headers) == "npu")
        let cpu = try await server.raw("POST", "/api/generate", #"{"model":"cpu","prompt":"hi","stream":false}"#)
        #expect(engineHeader(cpu.headers) == "cpu")
        await server.stop()
    }

    @Test(arguments: [EngineHealth.State.recovering, .failed])
    func downCardIsAnsweredByTheFallbackModel(state: EngineHealth.State) async throws {
        let devices = Devices(), lines = Lines()
        let server = try await TestServer(models: ["card:latest", "cpu:latest"], fallback: FallbackPolicy(model: "cpu"),
                                          wrapEngine: ["card:latest": devices.wrap], report: lines.append)
        _ = try await server.raw("POST", "/api/generate", Self.body) // loads the card model
        devices.set(EngineHealth(state: state, detail: "test fault"))
        let answer = try await server.raw("POST", "/api/generate", Self.body)
        #expect(answer.status == 200, "\(answer.text)")
        #expect(engineHeader(answer.headers) == "cpu-fallback")
        #expect(answer.text.contains(#""response":"\#(TestServer.answer)""#), "\(answer.text)")
        #expect(lines.all.contains { $0.contains("fallback model cpu") && $0.contains("test fault") }, "\(lines.all)")

        devices.set(.ready)
        let healed = try await server.raw("POST", "/api/generate", Self.body)
        #expect(engineHeader(healed.headers) == "npu")
        await server.stop()
    }

    @Test func downCardWithoutFallbackAnswers503WithTheReason() async throws {
        let devices = Devices()
        let server = try await TestServer(models: ["card:latest"], wrapEngine: ["card:latest": devices.wrap])
        _ = try await server.raw("POST", "/api/generate", Self.body)
        devices.set(EngineHealth(state: .failed, detail: "wedged"))
        let answer = try await server.raw("POST", "/api/generate", Self.body)
        #expect(answer.status == 503)
        #expect(answer.text.contains("the NPU card axcl:0 is failed"), "\(answer.text)")
        await server.stop()
    }
}
