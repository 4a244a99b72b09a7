/// A small deterministic generator, so that failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state
    }

    mutating func values(_ count: Int, scale: Float = 1) -> [Float] {
        (0 ..< count).map { _ in Float.random(in: -scale ... scale, using: &self) }
    }
}
