import EngineInterface
import Foundation
import OllamaAPI
import Runtime
import Server
import Synchronization
import Testing

/// An engine on a device whose health the test sets, standing in for an NPU engine: while the
/// device is down it refuses work as the NPU engine does. A `stuck` device (a wedged card's
/// thread, hung in a call) holds every call for a long time.
final class DeviceEngine: InferenceEngine, NamedEngine, Sendable {
    let inner: any InferenceEngine
    let engineName = "npu"
    let state = Mutex(EngineHealth.ready)
    let stuck = Mutex(false)
    /// Calls that reached the device.
    let calls = Mutex(0)

    init(_ inner: any InferenceEngine) { self.inner = inner }

    private func reachDevice() async {
        calls.withLock { $0 += 1 }
        if stuck.withLock({ $0 }) { try? await Task.sleep(for: .seconds(20)) }
    }

    var descriptor: ModelDescriptor { inner.descriptor }
    func forward(_ tokens: [TokenID], at position: Int) async throws -> Logits {
        await reachDevice()
        let health = state.withLock { $0 }
        guard health.state == .ready else { throw EngineUnavailableError("the NPU card axcl:0 is \(health.state.rawValue)") }
        return try await inner.forward(tokens, at: position)
    }
    func truncateCache(to length: Int) async {
        await reachDevice()
        await inner.truncateCache(to: length)
    }
    func embedding(for tokens: [TokenID]) async throws -> [Float] { try await inner.embedding(for: tokens) }
    func health() async -> EngineHealth { state.withLock { $0 } }
}

/// Who answers while the card is down, and how the response says so (X-Axllama-Engine).
@Suite struct EngineFallbackTests {
    final class Devices: Sendable {
        let engines = Mutex<[DeviceEngine]>([])
        func set(_ health: EngineHealth) { engines.withLock { for engine in $0 { engine.state.withLock { $0 = health } } } }
        func setStuck(_ stuck: Bool) { engines.withLock { for engine in $0 { engine.stuck.withLock { $0 = stuck } } } }
        var calls: Int { engines.withLock { $0.reduce(0) { total, engine in total + engine.calls.withLock { $0 } } } }
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
        devices.set(EngineHealth(state: .failed, detail: "the NPU card axcl:0 is failed: gave up"))
        let answer = try await server.raw("POST", "/api/generate", Self.body)
        #expect(answer.status == 503)
        #expect(answer.text.contains(#"{"error":"card:latest cannot run now: the NPU card axcl:0 is failed: gave up"}"#), "\(answer.text)")
        await server.stop()
    }

    /// A wedged card's thread is stuck in the hung call: a request for its model is refused at
    /// once from the engine's health, without a single call reaching the device (any call
    /// would wait behind the hung one), on both APIs.
    @Test func wedgedCardIsRefusedAtOnceWithoutTouchingTheDevice() async throws {
        let devices = Devices()
        let server = try await TestServer(models: ["card:latest"], wrapEngine: ["card:latest": devices.wrap])
        _ = try await server.raw("POST", "/api/generate", Self.body)
        devices.setStuck(true)
        devices.set(EngineHealth(state: .failed, detail: "the NPU card axcl:0 is wedged: an engine call did not return within 2 s"))
        let before = devices.calls
        let started = ContinuousClock.now
        let native = try await server.raw("POST", "/api/generate", #"{"model":"card","prompt":"hi","stream":true}"#)
        let openAI = try await server.raw("POST", "/v1/chat/completions", #"{"model":"card","messages":[{"role":"user","content":"hi"}]}"#)
        // A call that reached the stuck device would hold each request 20 s; the bound leaves room
        // for a machine whose cores are busy with other tests.
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(native.status == 503 && openAI.status == 503)
        #expect(native.text.contains("the NPU card axcl:0 is wedged"), "\(native.text)")
        #expect(openAI.text.contains("the NPU card axcl:0 is wedged"), "\(openAI.text)")
        #expect(devices.calls == before)
        devices.setStuck(false)
        await server.stop()
    }
}
