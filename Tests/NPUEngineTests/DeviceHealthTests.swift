import AXCLSimulatorSupport
import EngineInterface
import NPUEngine
import Runtime
import Testing

extension SimulatorBackedTests {
    /// The health registry reading a real card monitor over the simulator's settable telemetry:
    /// too hot → unavailable → ok, and a lost card → recovering → ok.
    @Suite(.enabled(if: Simulator.isAvailable)) struct DeviceHealth {
        @Test func healthFollowsTheSimulatedCard() async throws {
            let f = try await CardSupervision.Fixture.make()
            let registry = HealthRegistry()
            registry.register(NPUCardPool(cards: [f.supervisor]))
            registry.enter(.serving)

            f.control.setTemperature(52_000)
            await f.supervisor.pollOnce()
            var report = await registry.report(models: [])
            #expect(report.isHealthy, "\(report.reasons)")
            #expect(report.devices.first?.temperatureCelsius == 52)
            #expect((report.devices.first?.cmmUsedBytes ?? 0) > 0)

            f.control.setTemperature(97_000)
            await f.supervisor.pollOnce()
            report = await registry.report(models: [])
            #expect(!report.isHealthy)
            #expect(report.reasons.contains { $0.contains("too hot (97 °C, limit 95 °C)") })
            #expect(registry.thermalGuard.decision(for: report.devices) == .refuse(device: report.devices[0].name, celsius: 97))

            f.control.setTemperature(88_000)
            await f.supervisor.pollOnce()
            report = await registry.report(models: [])
            #expect(report.isHealthy)
            guard case .cap(numPredict: 128, _, _) = registry.thermalGuard.decision(for: report.devices) else {
                Issue.record("a card at 88 °C caps num_predict")
                return
            }

            f.control.setTemperature(50_000)
            f.control.setRebootDuration(seconds: 0.5)
            f.control.setOfflineAfterExecutes(1)
            let prompt = TinyModel.prompt(20, seed: 5)
            await #expect(throws: NPUEngineError.self) { _ = try await f.engine.forward(prompt, at: 0) }
            f.control.setOfflineAfterExecutes(0)
            report = await registry.report(models: [])
            #expect(!report.isHealthy, "a card in recovery is not ready")
            #expect(report.reasons.contains { $0.contains(report.devices[0].name) })
            await f.supervisor.waitForRecovery()
            report = await registry.report(models: [])
            #expect(report.isHealthy, "\(report.reasons)")
            #expect(report.devices.first?.recoveryCount == 1)
            try await f.engine.unload()
        }
    }
}
