import EngineInterface

/// Times `Sampler.sample` on synthetic logits, for `axllama bench` and the sampling tests.
/// A sample call must stay small next to a decode step (~5 ms for the default model here).
public enum SamplerBenchmark {
    public struct Result: Sendable, CustomStringConvertible {
        public var vocabularySize: Int
        public var iterations: Int
        public var median: Duration
        public var best: Duration

        public var description: String {
            "sample() over \(vocabularySize) logits: median \(Self.microseconds(median)) µs, "
                + "best \(Self.microseconds(best)) µs (\(iterations) calls)"
        }

        static func microseconds(_ duration: Duration) -> String {
            let (seconds, attoseconds) = duration.components
            let value = Double(seconds) * 1e6 + Double(attoseconds) / 1e12
            return String(Int((value * 10).rounded()) / 10) + "." + String(Int((value * 10).rounded()) % 10)
        }
    }

    /// Measures `iterations` calls (history of 64 tokens, as with the default `repeat_last_n`);
    /// the copy of the logits each call needs is not timed.
    public static func run(
        vocabularySize: Int = 151_936,
        options: SamplingOptions = SamplingOptions(seed: 0),
        iterations: Int = 200
    ) -> Result {
        precondition(vocabularySize > 0 && iterations > 0)
        let logits = modelLikeLogits(count: vocabularySize, seed: 1)
        let history = (0..<64).map { TokenID(($0 * 7_919) % vocabularySize) }
        var sampler = Sampler(options: options, vocabularySize: vocabularySize)
        var work = logits
        var times: [Duration] = []
        times.reserveCapacity(iterations)
        let clock = ContinuousClock()
        var checksum = 0
        for _ in 0..<iterations {
            work.withUnsafeMutableBufferPointer { target in
                logits.withUnsafeBufferPointer { source in
                    _ = target.initialize(fromContentsOf: source)
                }
            }
            let start = clock.now
            checksum &+= Int(sampler.sample(logits: &work, history: history))
            times.append(clock.now - start)
        }
        times.sort()
        // Keeps the calls from being optimised away.
        precondition(checksum >= 0 || checksum < 0)
        return Result(vocabularySize: vocabularySize, iterations: iterations, median: times[times.count / 2], best: times[0])
    }

    /// Roughly normal logits (spread 2.5) with a handful of clear favourites, like a language
    /// model's output, generated reproducibly.
    static func modelLikeLogits(count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        var logits = (0..<count).map { _ -> Float in
            var sum = 0.0
            for _ in 0..<4 { sum += generator.nextUnitInterval() }
            return Float(sum - 2) * 2.5
        }
        for rank in 0..<8 {
            logits[Int(generator.next() % UInt64(count))] = 16 - Float(rank)
        }
        return logits
    }
}
