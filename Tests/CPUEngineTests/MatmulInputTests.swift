import Testing
@testable import CPUEngine

@Suite struct MatmulInputTests {
    @Test func quantizingColumnRangesEqualsQuantizingTheWholeInput() {
        var random = SeededRandom(seed: 9)
        let tokens = 3, columns = 192
        let x = random.floats(tokens * columns, in: -3...3)
        let whole = MatmulInput(capacity: tokens * columns), parts = MatmulInput(capacity: tokens * columns)
        x.withUnsafeBufferPointer {
            whole.set($0.baseAddress!, tokens: tokens, columns: columns)
            parts.set($0.baseAddress!, tokens: tokens, columns: columns)
        }
        whole.quantize()
        for range in [64..<160, 0..<64, 160..<192] { parts.quantize(columns: range) }
        parts.markQuantized()
        parts.quantize()  // already marked: must leave the pieces alone
        for i in 0..<tokens * columns { #expect(whole.quants[i] == parts.quants[i]) }
        for b in 0..<tokens * columns / 32 {
            #expect(whole.scales[b] == parts.scales[b])
            #expect(whole.scaledSums[b] == parts.scaledSums[b])
        }
    }
}
