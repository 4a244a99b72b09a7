import EngineInterface
import Foundation
import OllamaAPI
import Runtime
import Server
import Testing

@Suite struct HealthEndpointTests {
    struct Health: Decodable {
        struct Device: Decodable {
            let name: String
            let state: String
            let temperature_celsius: Double?
            let cmm_used_bytes: UInt64?
            let cmm_total_bytes: UInt64?
            let npu_load_percent: Double?
        }
        struct Model: Decodable {
            let name: String
            let state: String
            let pinned: Bool
            let error: String?
        }
        let status: String
        let phase: String
        let reason: String?
        let devices: [Device]
        let models: [Model]
        let queue_depth: Int
        let uptime_seconds: Double
    }

    func health(_ server: TestServer) async throws -> (status: Int, body: Health) {
        let answer = try await server.raw("GET", "/health")
        return (answer.status, try JSONDecoder().decode(Health.self, from: Data(answer.text.utf8)))
    }

    @Test func healthIsUnavailableWhileStartingAndOkOnceServing() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let starting = try await health(server)
        #expect(starting.status == 503)
        #expect(starting.body.status == "unavailable")
        #expect(starting.body.reason?.contains("starting") == true)
        server.models.observability.health.enter(.serving)
        let serving = try await health(server)
        #expect(serving.status == 200)
        #expect(serving.body.status == "ok")
        #expect(serving.body.reason == nil)
        #expect(serving.body.uptime_seconds >= 0)
        #expect(try await server.raw("GET", "/").text == "Ollama is running")
    }

    @Test func healthWaitsForPinnedModelsToLoad() async throws {
        var settings = ServerSettings()
        settings.scheduler.pinned = ["registry.ollama.ai/library/scripted:latest"]
        settings.preload = ["scripted"]
        // A long load, so the loading state is seen however slowly the machine runs; the test
        // waits for the state rather than for a fixed time.
        let server = try await TestServer(settings: settings, loadDelayNanoseconds: 3_000_000_000)
        defer { Task { await server.stop() } }
        server.models.observability.health.enter(.serving)
        let before = try await health(server)
        #expect(before.status == 503)
        #expect(before.body.models.map(\.state) == ["missing"])
        let preload = Task { await server.models.preload { _ in } }
        var loading = try await health(server)
        let patience = ContinuousClock.now + .seconds(60)
        while loading.body.models.first?.state == "missing", ContinuousClock.now < patience {
            try await Task.sleep(nanoseconds: 20_000_000)
            loading = try await health(server)
        }
        #expect(loading.status == 503)
        #expect(loading.body.reason?.contains("is loading") == true)
        #expect(loading.body.models.first?.state == "loading")
        await preload.value
        let ready = try await health(server)
        #expect(ready.status == 200)
        #expect(ready.body.models.first?.state == "resident")
        #expect(ready.body.models.first?.pinned == true)
    }

    @Test func pinnedModelWhoseLoadFailedMakesHealthNameTheErrorUntilItLoads() async throws {
        var settings = ServerSettings()
        settings.scheduler.pinned = ["registry.ollama.ai/library/scripted:latest"]
        settings.preload = ["scripted"]
        let server = try await TestServer(settings: settings, models: [])
        defer { Task { await server.stop() } }
        server.models.observability.health.enter(.serving)
        await server.models.preload { _ in }
        let failed = try await health(server)
        #expect(failed.status == 503)
        #expect(failed.body.models.map(\.state) == ["failed"])
        let error = try #require(failed.body.models.first?.error)
        #expect(error.contains("not found"))
        #expect(failed.body.reason?.contains("pinned model registry.ollama.ai/library/scripted:latest failed to load: \(error)") == true)

        try TestServer.install("scripted:latest", in: server.store)
        await server.models.preload { _ in }
        let loaded = try await health(server)
        #expect(loaded.status == 200)
        #expect(loaded.body.models.map(\.state) == ["resident"])
        #expect(loaded.body.models.first?.error == nil)
    }

    @Test func healthFollowsDeviceRecoveryAndReportsTelemetry() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let monitor = FakeDeviceMonitor()
        server.models.observability.health.register(monitor)
        server.models.observability.health.enter(.serving)
        let ok = try await health(server)
        #expect(ok.status == 200)
        let device = try #require(ok.body.devices.first)
        #expect(device.name == "axcl:1")
        #expect(device.state == "ready")
        #expect(device.temperature_celsius == 45)
        #expect(device.cmm_total_bytes == 7040 << 20)
        #expect(device.cmm_used_bytes == 1200 << 20)
        #expect(device.npu_load_percent == 12.5)

        monitor.update { $0.state = .recovering; $0.detail = "resetting the card" }
        let recovering = try await health(server)
        #expect(recovering.status == 503)
        #expect(recovering.body.reason?.contains("axcl:1 is recovering") == true)
        #expect(recovering.body.reason?.contains("resetting the card") == true)

        monitor.update { $0.state = .ready; $0.detail = nil }
        #expect(try await health(server).status == 200)
    }

    @Test func tooHotCardRefusesGenerationsWith503UntilItCools() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let monitor = FakeDeviceMonitor()
        server.models.observability.health.register(monitor)
        server.models.observability.health.enter(.serving)
        monitor.update { $0.temperatureCelsius = 97 }

        let hot = try await health(server)
        #expect(hot.status == 503)
        #expect(hot.body.reason?.contains("too hot (97 °C, limit 95 °C)") == true)
        let refused = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"hi","stream":false}"#)
        #expect(refused.status == 503)
        let error = try JSONDecoder().decode([String: String].self, from: Data(refused.text.utf8))
        #expect(error["error"]?.contains("axcl:1 is too hot (97 °C") == true)

        monitor.update { $0.temperatureCelsius = 60 }
        #expect(try await health(server).status == 200)
        let answered = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"hi","stream":false}"#)
        #expect(answered.status == 200)
        #expect(answered.text.contains(TestServer.answer))
    }

    @Test func hotCardCapsNumPredict() async throws {
        var settings = ServerSettings()
        settings.operations.thresholds.highTemperatureNumPredict = 3
        let server = try await TestServer(settings: settings, endless: ["scripted:latest"])
        defer { Task { await server.stop() } }
        let monitor = FakeDeviceMonitor([FakeDeviceMonitor.card(celsius: 88)])
        server.models.observability.health.register(monitor)
        let answer = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"hi","stream":false,"options":{"num_predict":50}}"#)
        #expect(answer.status == 200)
        let body = try WireCoding.decode(GenerateResponse.self, from: Data(answer.text.utf8))
        #expect(body.metrics.evalCount == 3)
        #expect(body.doneReason == "length")
    }

    @Test func healthNeedsNoApiKey() async throws {
        var settings = ServerSettings()
        settings.apiKey = "secret"
        let server = try await TestServer(settings: settings)
        defer { Task { await server.stop() } }
        server.models.observability.health.enter(.serving)
        #expect(try await server.raw("GET", "/health").status == 200)
        #expect(try await server.raw("GET", "/metrics").status == 401)
    }
}
