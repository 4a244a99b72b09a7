/// xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2018):
/// small, fast, and defined purely by 64-bit integer arithmetic, so one seed gives the same
/// sequence on every machine and every Swift version, unlike `SystemRandomNumberGenerator`.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Expands `seed` into the 256-bit state with SplitMix64, the seeding the xoshiro authors
    /// recommend: it never yields the all-zero state, and nearby seeds give unrelated streams.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// The seed for Ollama's `seed` option: -1 asks for a fresh one from the system
    /// (ollama `api.DefaultOptions`); any other value is used as its 64-bit two's-complement pattern.
    public static func seed(forOllamaSeed seed: Int) -> UInt64 {
        if seed == SamplingOptions.randomSeed {
            var system = SystemRandomNumberGenerator()
            return system.next()
        }
        return UInt64(bitPattern: Int64(seed))
    }

    /// Starts from a raw state, for checking against the published reference outputs.
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// A uniform value in [0, 1) with 53 random bits; built from integers so that it is identical
    /// everywhere.
    public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014), used only to expand a seed into xoshiro's state.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
