import CCPUKernels

/// The activations a batch of matrix products reads: `tokens` rows of `columns` f32 values, and
/// their int8 block quantization, made once and shared by every quantized weight that reads the
/// same input (q, k and v; gate and up).
final class MatmulInput {
    private(set) var values: UnsafePointer<Float>
    private(set) var tokens = 0
    private(set) var columns = 0
    let quants: UnsafeMutablePointer<Int8>
    let scales: UnsafeMutablePointer<Float>
    /// Each block's scale times the sum of its int8 values.
    let scaledSums: UnsafeMutablePointer<Float>
    private let capacity: Int
    private var isQuantized = false

    /// `capacity` is the largest tokens × columns the input will hold.
    init(capacity: Int) {
        self.capacity = capacity
        quants = .allocate(capacity: capacity)
        scales = .allocate(capacity: capacity / 32)
        scaledSums = .allocate(capacity: capacity / 32)
        values = UnsafePointer(scales)
    }

    deinit {
        quants.deallocate()
        scales.deallocate()
        scaledSums.deallocate()
    }

    func set(_ values: UnsafePointer<Float>, tokens: Int, columns: Int) {
        precondition(tokens * columns <= capacity && columns % 32 == 0)
        self.values = values
        self.tokens = tokens
        self.columns = columns
        isQuantized = false
    }

    /// Quantizes the values unless that was already done for the current contents.
    func quantize() {
        guard !isQuantized else { return }
        axl_quantize_row_q8(values, Int32(tokens * columns), quants, scales, scaledSums)
        isQuantized = true
    }
}
