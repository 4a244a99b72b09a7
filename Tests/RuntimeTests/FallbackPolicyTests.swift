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
            #expect(reason.contains("qwen3") && reason.contains("card lost"))
        }
    }

    /// Without a fallback (or for the fallback itself) a down engine is refused up front, so the
    /// request never waits on a device that may not answer.
    @Test func withoutAFallbackADownEngineIsRefusedWithItsDetail() {
        #expect(policy.route(requested: "smollm2:135m", health: EngineHealth(state: .failed), isFallback: isFallback)
            == .unavailable(reason: "smollm2:135m cannot run now: its device is failed"))
        let wedged = EngineHealth(state: .failed, detail: "the NPU card axcl:129 is wedged: an execute did not return")
        #expect(FallbackPolicy().route(requested: "qwen3", health: wedged, isFallback: { _ in false })
            == .unavailable(reason: "qwen3 cannot run now: the NPU card axcl:129 is wedged: an execute did not return"))
        #expect(FallbackPolicy().route(requested: "qwen3", health: .ready, isFallback: { _ in false }) == .requested)
    }

    @Test func fallbackIsReadFromTheEnvironment() {
        #expect(FallbackPolicy.fromEnvironment(["AXLLAMA_FALLBACK_MODEL": " smollm2:135m "]).model == "smollm2:135m")
        #expect(FallbackPolicy.fromEnvironment(["AXLLAMA_FALLBACK_MODEL": ""]).model == nil)
    }
}
