import EngineInterface
import Foundation
import Runtime
import Server
import Testing

@Suite struct MetricsEndpointTests {
    func scrape(_ server: TestServer) async throws -> PrometheusText {
        let answer = try await server.raw("GET", "/metrics")
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        return try PrometheusText(answer.text)
    }

    @Test func countersAndHistogramsMoveAfterAGenerate() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let model = ["model": "registry.ollama.ai/library/scripted:latest"]
        let before = try await scrape(server)
        #expect(before.value("axllama_generated_tokens_total", model) == nil)

        let answer = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"hi","stream":false}"#)
        #expect(answer.status == 200)
        let after = try await scrape(server)
        let generated = try #require(after.value("axllama_generated_tokens_total", model))
        #expect(generated == Double(TestServer.answer.utf8.count))
        #expect((after.value("axllama_prompt_tokens_total", model) ?? 0) > 0)
        #expect(after.value("axllama_requests_total", ["endpoint": "/api/generate", "status": "200"]) == 1)
        #expect(after.value("axllama_time_to_first_token_seconds_count", model) == 1)
        #expect(after.value("axllama_token_latency_seconds_count", model) == 1)
        #expect(after.value("axllama_time_to_first_token_seconds_bucket", model.merging(["le": "+Inf"]) { a, _ in a }) == 1)
        #expect(after.value("axllama_model_loads_total", model.merging(["result": "ok"]) { a, _ in a }) == 1)
        #expect(after.value("axllama_model_load_seconds_count", model) == 1)
        #expect(after.value("axllama_models_resident") == 1)
        // The scrape before this one is counted too, under its own route.
        #expect(after.value("axllama_requests_total", ["endpoint": "/metrics", "status": "200"]) == 1)

        _ = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"hi","stream":false}"#)
        let again = try await scrape(server)
        #expect(again.value("axllama_generated_tokens_total", model) == 2 * generated)
        #expect(again.value("axllama_time_to_first_token_seconds_count", model) == 2)
        #expect(again.value("axllama_model_loads_total", model.merging(["result": "ok"]) { a, _ in a }) == 1)
    }

    @Test func unknownPathsAndErrorsAreCountedByRouteAndStatus() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        _ = try await server.raw("GET", "/nowhere")
        _ = try await server.raw("POST", "/api/generate", #"{"model":"missing","prompt":"hi"}"#)
        let metrics = try await scrape(server)
        #expect(metrics.value("axllama_requests_total", ["endpoint": "unmatched", "status": "404"]) == 1)
        #expect(metrics.value("axllama_requests_total", ["endpoint": "/api/generate", "status": "404"]) == 1)
    }

    @Test func deviceGaugesFollowTelemetryAndFaultCountsAdvance() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        let monitor = FakeDeviceMonitor()
        server.models.observability.health.register(monitor)
        let device = ["device": "axcl:1"]
        let first = try await scrape(server)
        #expect(first.value("axllama_device_temperature_celsius", device) == 45)
        #expect(first.value("axllama_device_cmm_used_bytes", device) == Double(1200 << 20))
        #expect(first.value("axllama_device_cmm_total_bytes", device) == Double(7040 << 20))
        #expect(first.value("axllama_device_npu_load_percent", device) == 12.5)
        #expect(first.value("axllama_device_cpu_load_percent", device) == 3)
        #expect(first.value("axllama_device_state", ["device": "axcl:1", "state": "ready"]) == 1)
        #expect(first.value("axllama_device_state", ["device": "axcl:1", "state": "recovering"]) == 0)

        monitor.update {
            $0.temperatureCelsius = 71.5
            $0.state = .recovering
            $0.faultCounts = ["deviceLost": 2]
            $0.recoveryCount = 1
        }
        let second = try await scrape(server)
        #expect(second.value("axllama_device_temperature_celsius", device) == 71.5)
        #expect(second.value("axllama_device_state", ["device": "axcl:1", "state": "recovering"]) == 1)
        #expect(second.value("axllama_device_state", ["device": "axcl:1", "state": "ready"]) == 0)
        #expect(second.value("axllama_device_faults_total", ["device": "axcl:1", "kind": "deviceLost"]) == 2)
        #expect(second.value("axllama_device_recoveries_total", device) == 1)

        // Cumulative counts read again add nothing; new faults add their difference.
        let third = try await scrape(server)
        #expect(third.value("axllama_device_faults_total", ["device": "axcl:1", "kind": "deviceLost"]) == 2)
        monitor.update { $0.faultCounts = ["deviceLost": 3, "timeout": 1] }
        let fourth = try await scrape(server)
        #expect(fourth.value("axllama_device_faults_total", ["device": "axcl:1", "kind": "deviceLost"]) == 3)
        #expect(fourth.value("axllama_device_faults_total", ["device": "axcl:1", "kind": "timeout"]) == 1)
    }

    @Test func fallbackUseAndRejectionsAreCounted() async throws {
        let server = try await TestServer()
        defer { Task { await server.stop() } }
        server.models.observability.metrics.cpuFallbackUsed(model: "smollm2:135m")
        let monitor = FakeDeviceMonitor([FakeDeviceMonitor.card(celsius: 99)])
        server.models.observability.health.register(monitor)
        _ = try await server.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"hi","stream":false}"#)
        let metrics = try await scrape(server)
        #expect(metrics.value("axllama_cpu_fallback_total", ["model": "smollm2:135m"]) == 1)
        #expect(metrics.value("axllama_rejected_requests_total", ["reason": "too_hot"]) == 1)
    }

    @Test func serversInOneProcessKeepSeparateRegistries() async throws {
        let first = try await TestServer()
        let second = try await TestServer()
        defer { Task { await first.stop(); await second.stop() } }
        _ = try await first.raw("POST", "/api/generate", #"{"model":"scripted","prompt":"hi","stream":false}"#)
        let other = try await scrape(second)
        #expect(other.value("axllama_generated_tokens_total") == nil)
    }
}
