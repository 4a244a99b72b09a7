/// Keys and values of every evaluated position, per layer, in f32: layer l, slot s starts at
/// (l * capacity + s) * kvWidth. Allocated once for the whole context but left uninitialised,
/// so the operating system only commits pages as positions are written.
final class KVCache {
    let capacity: Int
    let layerCount: Int
    let kvWidth: Int
    /// Positions currently held (slots 0..<count).
    var count = 0
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>

    init(layers: Int, capacity: Int, kvWidth: Int) {
        self.capacity = capacity
        self.layerCount = layers
        self.kvWidth = kvWidth
        keys = .allocate(capacity: layers * capacity * kvWidth)
        values = .allocate(capacity: layers * capacity * kvWidth)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    func keys(layer: Int, slot: Int) -> UnsafeMutablePointer<Float> {
        keys + (layer * capacity + slot) * kvWidth
    }

    func values(layer: Int, slot: Int) -> UnsafeMutablePointer<Float> {
        values + (layer * capacity + slot) * kvWidth
    }
}
