import Foundation

/// How an NPU engine is placed on its card and runs.
public struct NPUEngineOptions: Sendable, Equatable {
    public var prefillMode: PrefillMode
    /// CMM left free when loading (axllm mem_guard_floor_mb, axera.md §3.2).
    public var cmmFloorMiB: Int
    /// Where the K/V rows of the shared prompt prefix are persisted (AXLLAMA_PREFIX_CACHE_DIR);
    /// nil keeps them on the card only.
    public var prefixCacheDirectory: URL?
    /// Shorter shared prefixes are not worth a file.
    public var minimumPersistedPrefix: Int

    public init(prefillMode: PrefillMode = .chunked, cmmFloorMiB: Int = 128, prefixCacheDirectory: URL? = nil,
                minimumPersistedPrefix: Int = 8) {
        self.prefillMode = prefillMode
        self.cmmFloorMiB = cmmFloorMiB
        self.prefixCacheDirectory = prefixCacheDirectory
        self.minimumPersistedPrefix = minimumPersistedPrefix
    }
}

/// Work done on the card since the engine was loaded, for per-request timings and tests.
public struct NPUEngineCounters: Sendable, Equatable {
    public var executes = 0
    public var prefillChunks = 0
    public var decodeSteps = 0
    public var prefillSeconds: Double = 0
    public var decodeSeconds: Double = 0
    /// Wall time spent inside `axclrtEngineExecute`; the rest of prefill and decode time is the
    /// host's own work (copies, masks, embedding lookups, logits conversion).
    public var executeSeconds: Double = 0

    /// Host-side time per decoded token.
    public var hostSecondsPerDecodedToken: Double {
        decodeSteps == 0 ? 0 : max(0, decodeSeconds - decodeExecuteSeconds) / Double(decodeSteps)
    }
    /// Host-side time per prefill chunk (calls of more than one token).
    public var hostSecondsPerPrefillChunk: Double {
        prefillChunks == 0 ? 0 : max(0, prefillSeconds - (executeSeconds - decodeExecuteSeconds)) / Double(prefillChunks)
    }
    /// Execute time inside single-token steps, separated so prefill does not distort the figure above.
    public var decodeExecuteSeconds: Double = 0
    /// Prefix cache files written and prompt positions restored from one.
    public var prefixCacheWrites = 0
    public var prefixCacheRestoredPositions = 0
    /// Why the last prefix cache write failed, if it did (the cache is only an optimisation).
    public var prefixCacheError: String?
    public init() {}

    /// The work done between `earlier` and this snapshot: one request's NPU timings for its log
    /// line (take a snapshot before the request, subtract it after).
    public func since(_ earlier: NPUEngineCounters) -> NPUEngineCounters {
        var delta = self
        delta.executes -= earlier.executes
        delta.prefillChunks -= earlier.prefillChunks
        delta.decodeSteps -= earlier.decodeSteps
        delta.prefillSeconds -= earlier.prefillSeconds
        delta.decodeSeconds -= earlier.decodeSeconds
        delta.executeSeconds -= earlier.executeSeconds
        delta.decodeExecuteSeconds -= earlier.decodeExecuteSeconds
        delta.prefixCacheWrites -= earlier.prefixCacheWrites
        delta.prefixCacheRestoredPositions -= earlier.prefixCacheRestoredPositions
        return delta
    }

    /// e.g. `prefill 2 chunks 41.2 ms, decode 32 tokens 380.5 ms, 97 executes 402.0 ms`
    public var summary: String {
        func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
        return "prefill \(prefillChunks) chunks \(ms(prefillSeconds)), decode \(decodeSteps) tokens \(ms(decodeSeconds)), "
            + "\(executes) executes \(ms(executeSeconds))"
    }
}
