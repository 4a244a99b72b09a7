/// Attention masks in the layout the layer engines take: bf16, 0 = visible, −65536 (`0xC780`) =
/// masked (axera.md §3.4).
enum MaskValue {
    static let visible: UInt16 = 0x0000
    static let masked: UInt16 = 0xC780
}

enum MaskRows {
    /// A prefill chunk's mask `[chunk × (history + chunk)]`: real row i sees the `cached` rows of
    /// the cache and chunk rows 0...i; padded rows see nothing (axera.md §3.6).
    static func fillChunk(_ mask: UnsafeMutablePointer<UInt16>, chunk: Int, history: Int, cached: Int, realRows: Int) {
        let width = history + chunk
        mask.update(repeating: MaskValue.masked, count: chunk * width)
        for row in 0 ..< realRows {
            let start = mask + row * width
            start.update(repeating: MaskValue.visible, count: cached)
            (start + history).update(repeating: MaskValue.visible, count: row + 1)
        }
    }
}
