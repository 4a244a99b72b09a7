import EngineInterface
import Runtime
import Testing

@Suite struct FallbackPolicyTests {
    let policy = FallbackPolicy(model: "smollm2:135m")
    func isFallback(_ name: String) -> Bool { name == "smollm2:135m" }

    @Test func healthyEnginesAnswerThemselves() {
        #expect(policy.route(requested: "qwen3", health: .ready, isFallback: isFallback) == .requested)
        #expect(policy.route(requested: "qwen3", health: EngineHealth(state: .degraded), isFallback: isFallback) == .requested)
    }

    @Test func recoveringOrFailedEnginesGoToTheFallback() {
        for state in [EngineHealth.State.recovering, .failed] {
            let route = policy.route(requested: "qwen3", health: EngineHealth(state: state, detail: "card lost"), isFallback: isFallback)
            guard case let .fallback(model, reason) = route else {
                Issue.record("expected the fallback for \(state)")
                continue
            }
            #expect(model == "smollm2:135m")
            #expect(reason.contains(state.rawValue) && reason.contains("card lost"))
        }
    }

    @Test func theFallbackNeverReplacesItselfAndIsOffWithoutAModel() {
        #expect(policy.route(requested: "smollm2:135m", health: EngineHealth(state: .failed), isFallback: isFallback) == .requested)
        #expect(FallbackPolicy().route(requested: "qwen3", health: EngineHealth(state: .failed), isFallback: { _ in false }) == .requested)
        #expect(FallbackPolicy.fromEnvironment(["AXLLAMA_FALLBACK_MODEL": " smollm2:135m "]).model == "smollm2:135m")
        #expect(FallbackPolicy.fromEnvironment(["AXLLAMA_FALLBACK_MODEL": ""]).model == nil)
    }
}
