import Foundation
import OllamaAPI
import Runtime
import Testing
@testable import Server

@Suite struct SettingsTests {
    @Test func ollamaHostIsParsedAsOllamaDoes() {
        #expect(ListenAddress(ollamaHost: nil) == ListenAddress(host: "127.0.0.1", port: 11434))
        #expect(ListenAddress(ollamaHost: "0.0.0.0") == ListenAddress(host: "0.0.0.0", port: 11434))
        #expect(ListenAddress(ollamaHost: ":8080") == ListenAddress(host: "0.0.0.0", port: 8080))
        #expect(ListenAddress(ollamaHost: "http://example.local") == ListenAddress(host: "example.local", port: 80))
        #expect(ListenAddress(ollamaHost: "https://10.0.0.2:9000/path") == ListenAddress(host: "10.0.0.2", port: 9000))
        #expect(ListenAddress(ollamaHost: "[::1]:7000") == ListenAddress(host: "::1", port: 7000))
        #expect(ListenAddress(ollamaHost: "127.0.0.1:1").isLoopback)
        #expect(!ListenAddress(ollamaHost: "0.0.0.0").isLoopback)
    }

    @Test func environmentVariablesKeepOllamasMeaning() throws {
        let settings = try ServerSettings.fromEnvironment([
            "OLLAMA_HOST": "0.0.0.0:9999", "OLLAMA_KEEP_ALIVE": "\"10m\"", "OLLAMA_MAX_QUEUE": "7", "OLLAMA_MAX_LOADED_MODELS": "1",
            "OLLAMA_CONTEXT_LENGTH": "2048", "OLLAMA_ORIGINS": "https://a.example, chrome-extension://*",
            "AXLLAMA_PRELOAD": "a", "AXLLAMA_PIN": "b:1", "AXLLAMA_API_KEY": "secret",
        ])
        #expect(settings.address == ListenAddress(host: "0.0.0.0", port: 9999))
        #expect(settings.scheduler.defaultKeepAlive == .nanoseconds(600_000_000_000))
        #expect(settings.scheduler.maxQueue == 7 && settings.scheduler.maxLoadedModels == 1)
        #expect(settings.defaultContextLength == 2048)
        #expect(settings.extraOrigins == ["https://a.example", "chrome-extension://*"])
        #expect(settings.preload == ["a", "b:1"])
        #expect(settings.scheduler.pinned == ["registry.ollama.ai/library/b:1"])
        #expect(settings.apiKey == "secret")
        #expect(throws: ServerSettings.SettingError.self) { try ServerSettings.fromEnvironment(["OLLAMA_MAX_QUEUE": "lots"]) }
        #expect(throws: ServerSettings.SettingError.self) { try ServerSettings.fromEnvironment(["OLLAMA_KEEP_ALIVE": "soon"]) }
    }
}

@Suite struct RequestGuardTests {
    @Test func hostHeaderMustNameThisMachineOnLoopback() {
        let policy = HostPolicy(enabled: true)
        for host in ["localhost:11434", "127.0.0.1:11434", "[::1]:11434", "box.local", "app.localhost", "svc.internal", "192.168.1.4", "10.1.2.3", "172.20.0.1"] {
            #expect(policy.allows(host), "\(host)")
        }
        for host in ["evil.example", "8.8.8.8:11434", "172.32.0.1", "example.com.evil"] {
            #expect(!policy.allows(host), "\(host)")
        }
        #expect(HostPolicy(enabled: false).allows("evil.example"))
    }

    @Test func originPatternsAllowWildcards() {
        let policy = OriginPolicy(extraOrigins: ["chrome-extension://*"])
        #expect(policy.allows("http://localhost:3000") && policy.allows("app://anything") && policy.allows("chrome-extension://abc"))
        #expect(!policy.allows("https://evil.example") && !policy.allows("http://localhost.evil.example"))
        #expect(OriginPolicy(extraOrigins: ["*"]).allows("https://anyone.example"))
    }
}

@Suite(.serialized) struct APIKeyTests {
    @Test func bearerKeyGuardsEverythingButTheHeartbeat() async throws {
        var settings = ServerSettings()
        settings.apiKey = "s3cret"
        let server = try await TestServer(settings: settings)
        defer { Task { await server.stop() } }
        #expect(try await server.raw("GET", "/").status == 200)
        let refused = try await server.raw("GET", "/api/tags")
        #expect(refused.status == 401 && refused.text.contains("Authorization: Bearer"))
        let openAI = try await server.raw("GET", "/v1/models")
        #expect(openAI.status == 401 && openAI.text.contains(#""type":"api_error""#))
        let keyed = OllamaClient(host: server.client.host, port: server.client.port, apiKey: "s3cret")
        let tags = try await keyed.call("GET", "/api/tags", Optional<ErrorResponse>.none, as: ListResponse.self)
        #expect(tags.models.count == 1)
    }
}
