/// How an NPU engine is placed on its card and runs.
public struct NPUEngineOptions: Sendable, Equatable {
    public var prefillMode: PrefillMode
    /// CMM left free when loading (axllm mem_guard_floor_mb, axera.md §3.2).
    public var cmmFloorMiB: Int

    public init(prefillMode: PrefillMode = .chunked, cmmFloorMiB: Int = 128) {
        self.prefillMode = prefillMode
        self.cmmFloorMiB = cmmFloorMiB
    }
}

/// Work done on the card since the engine was loaded, for per-request timings and tests.
public struct NPUEngineCounters: Sendable, Equatable {
    public var executes = 0
    public var prefillChunks = 0
    public var decodeSteps = 0
    public var prefillSeconds: Double = 0
    public var decodeSeconds: Double = 0
    public init() {}
}
