/// Replaces each value by the nearest bf16 (ties to even), kept as f32: what a value becomes when
/// it passes through an NPU card's bf16 inputs and outputs.
func roundToBFloat16(_ values: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count where !values[i].isNaN {
        let bits = values[i].bitPattern
        values[i] = Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
    }
}
