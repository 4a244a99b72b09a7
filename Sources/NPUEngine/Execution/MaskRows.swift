/// Attention masks in the layout the layer engines take: additive, 0 = visible, a large negative
/// value = masked (−65536, `0xC780` in the vendor's bf16 masks, axera.md §3.4), in the data type
/// the engine declares for its mask (`FloatIOType.maskedBits`).
enum MaskRows {
    /// A prefill chunk's mask `[chunk × (history + chunk)]`: real row i sees the `cached` rows of
    /// the cache and chunk rows 0...i; padded rows see nothing (axera.md §3.6).
    static func fillChunk(_ mask: UnsafeMutableRawPointer, type: FloatIOType, chunk: Int, history: Int, cached: Int, realRows: Int) {
        let width = history + chunk, element = type.byteWidth
        type.fill(mask, count: chunk * width, bits: type.maskedBits)
        for row in 0 ..< realRows {
            let start = mask + row * width * element
            type.fill(start, count: cached, bits: 0)
            type.fill(start + history * element, count: row + 1, bits: 0)
        }
    }
}
