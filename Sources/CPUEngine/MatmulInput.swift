import CCPUKernels

/// The activations a batch of matrix products reads: `tokens` rows of `columns` f32 values, and
/// their int8 quantizations (blocks of 32 for Q4_0/Q4_1/Q8_0 weights, super-blocks of 256 for
/// K-quants), each made at most once and shared by every weight that reads the same input
/// (q, k and v; gate and up), even when a Q4_K_M file mixes formats among them.
final class MatmulInput {
    private(set) var values: UnsafePointer<Float>
    private(set) var tokens = 0
    private(set) var columns = 0
    let quants: UnsafeMutablePointer<Int8>
    let scales: UnsafeMutablePointer<Float>
    /// Each block's scale times the sum of its int8 values.
    let scaledSums: UnsafeMutablePointer<Float>
    /// Q8_K: int8 values, one scale per 256, and the sum of each 16 int8 values.
    let superBlockQuants: UnsafeMutablePointer<Int8>
    let superBlockScales: UnsafeMutablePointer<Float>
    let sixteenSums: UnsafeMutablePointer<Int16>
    private let capacity: Int
    private var isQuantized = false
    private var isSuperBlockQuantized = false

    /// `capacity` is the largest tokens × columns the input will hold.
    init(capacity: Int) {
        self.capacity = capacity
        quants = .allocate(capacity: capacity)
        scales = .allocate(capacity: capacity / 32)
        scaledSums = .allocate(capacity: capacity / 32)
        superBlockQuants = .allocate(capacity: capacity)
        superBlockScales = .allocate(capacity: capacity / 256 + 1)
        sixteenSums = .allocate(capacity: capacity / 16)
        values = UnsafePointer(scales)
    }

    deinit {
        quants.deallocate()
        scales.deallocate()
        scaledSums.deallocate()
        superBlockQuants.deallocate()
        superBlockScales.deallocate()
        sixteenSums.deallocate()
    }

    func set(_ values: UnsafePointer<Float>, tokens: Int, columns: Int) {
        precondition(tokens * columns <= capacity && columns % 32 == 0)
        self.values = values
        self.tokens = tokens
        self.columns = columns
        isQuantized = false
        isSuperBlockQuantized = false
    }

    /// Quantizes the values unless that was already done for the current contents.
    func quantize() {
        guard !isQuantized else { return }
        axl_quantize_row_q8(values, Int32(tokens * columns), quants, scales, scaledSums)
        isQuantized = true
    }

    /// Quantizes columns `range` (whole blocks of 32) of every token, for a region whose chunks
    /// each produce some of the values: they quantize their own columns from several threads at
    /// once, and the caller declares the whole input quantized with `markQuantized()` afterwards.
    /// Blocks are quantized independently, so the result equals `quantize()`'s.
    func quantize(columns range: Range<Int>) {
        precondition(range.lowerBound % 32 == 0 && range.count % 32 == 0)
        for t in 0..<tokens {
            let first = t * columns + range.lowerBound
            axl_quantize_row_q8(values + first, Int32(range.count), quants + first, scales + first / 32,
                                scaledSums + first / 32)
        }
    }

    func markQuantized() {
        isQuantized = true
    }

    /// The Q8_K form for K-quant weights, unless already made; the row width must be whole 256s.
    func quantizeSuperBlocks() {
        guard !isSuperBlockQuantized else { return }
        precondition(columns % 256 == 0, "K-quant input rows of \(columns) are not whole super-blocks")
        axl_quantize_row_q8_k(values, Int32(tokens * columns), superBlockQuants, superBlockScales, sixteenSums)
        isSuperBlockQuantized = true
    }
}
