import EngineInterface
import GGUF
import Glibc

/// Prefill and greedy-decode speed of the CPU engine, measured the way the llama.cpp baseline
/// script measures it (empty cache → prefill the prompt → argmax → decode one token at a time).
public struct BenchmarkResult: Sendable, Codable, Equatable {
    public var promptTokens: Int
    public var decodeTokens: Int
    public var threads: Int
    public var prefillSeconds: Double
    public var decodeSeconds: Double
    /// CPU time of the whole process during decode: on a shared machine it shows how much of the
    /// wall time the engine actually ran (spinning workers count too).
    public var decodeProcessCPUSeconds: Double
    /// The fastest and the median single decode step: on a shared machine the fastest steps are
    /// the ones no other process interrupted, which makes them the steadiest figure to compare
    /// two builds by.
    public var decodeFastestTokenSeconds: Double
    public var decodeMedianTokenSeconds: Double
    public var prefillTokensPerSecond: Double { Double(promptTokens) / prefillSeconds }
    public var decodeTokensPerSecond: Double { Double(decodeTokens) / decodeSeconds }
    /// The greedy continuation, so runs can be checked for determinism.
    public var generated: [TokenID]

    enum CodingKeys: String, CodingKey {
        case promptTokens, decodeTokens, threads, prefillSeconds, decodeSeconds, decodeProcessCPUSeconds,
             decodeFastestTokenSeconds, decodeMedianTokenSeconds, generated
    }
}

public enum CPUEngineBenchmark {
    /// Runs one repetition on `engine`, starting from an empty cache.
    public static func run(engine: CPUEngine, promptTokens: [TokenID], decodeTokens: Int) throws -> BenchmarkResult {
        engine.truncate(to: 0)
        let start = monotonicSeconds()
        var logits = try engine.evaluate(promptTokens, at: 0)
        var token = argmax(logits.values)
        let prefilled = monotonicSeconds()
        let cpuBefore = processCPUSeconds()
        var generated = [token]
        var stepSeconds: [Double] = []
        stepSeconds.reserveCapacity(decodeTokens)
        var stepStart = prefilled
        for step in 0..<decodeTokens {
            logits = try engine.evaluate([token], at: promptTokens.count + step)
            token = argmax(logits.values)
            generated.append(token)
            let now = monotonicSeconds()
            stepSeconds.append(now - stepStart)
            stepStart = now
        }
        let finished = monotonicSeconds()
        stepSeconds.sort()
        return BenchmarkResult(promptTokens: promptTokens.count, decodeTokens: decodeTokens,
                               threads: engine.threadCount, prefillSeconds: prefilled - start,
                               decodeSeconds: finished - prefilled,
                               decodeProcessCPUSeconds: processCPUSeconds() - cpuBefore,
                               decodeFastestTokenSeconds: stepSeconds.first ?? 0,
                               decodeMedianTokenSeconds: stepSeconds.isEmpty ? 0 : stepSeconds[stepSeconds.count / 2],
                               generated: generated)
    }

    /// Loads the model and runs one warm-up plus `repetitions` measured repetitions.
    public static func run(file: GGUFFile, promptTokens: [TokenID], decodeTokens: Int, threads: Int? = nil,
                           repetitions: Int = 1) throws -> [BenchmarkResult] {
        let engine = try CPUEngine(file: file, contextLength: promptTokens.count + decodeTokens + 1,
                                   threads: threads)
        _ = try run(engine: engine, promptTokens: promptTokens, decodeTokens: min(decodeTokens, 16))
        return try (0..<repetitions).map { _ in
            try run(engine: engine, promptTokens: promptTokens, decodeTokens: decodeTokens)
        }
    }

    /// A deterministic stand-in prompt when the caller has no tokenized text: ids spread over the
    /// vocabulary (the speed of a forward pass does not depend on which ids it reads).
    public static func syntheticPrompt(length: Int, vocabularySize: Int) -> [TokenID] {
        (0..<length).map { TokenID(($0 * 7919 + 13) % vocabularySize) }
    }

    private static func argmax(_ values: [Float]) -> TokenID {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return TokenID(best)
    }

    private static func monotonicSeconds() -> Double { seconds(of: CLOCK_MONOTONIC) }

    private static func processCPUSeconds() -> Double { seconds(of: CLOCK_PROCESS_CPUTIME_ID) }

    private static func seconds(of clock: clockid_t) -> Double {
        var now = timespec()
        clock_gettime(clock, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
