import Glibc

/// Rotary position embedding in ggml's "normal" mode, which LLM_ARCH_LLAMA uses: adjacent pairs
/// (x[2i], x[2i+1]) of each head rotate by pos · base^(-2i/d) (llama.cpp llama-model.cpp,
/// LLAMA_ROPE_TYPE_NORM). The GGUF converter permutes llama's Q/K weights so that this pairing
/// matches the Hugging Face "rotate half" layout.
struct RotaryEmbedding {
    let headDimension: Int
    let rotatedDimensions: Int
    private let inverseFrequencies: [Double]

    init(headDimension: Int, rotatedDimensions: Int, base: Float) {
        self.headDimension = headDimension
        self.rotatedDimensions = rotatedDimensions
        inverseFrequencies = (0..<rotatedDimensions / 2).map {
            pow(Double(base), -2 * Double($0) / Double(rotatedDimensions))
        }
    }

    /// Rotates `heads` consecutive heads starting at `x` for position `position`.
    /// `table` has room for rotatedDimensions floats (cos and sin of each pair).
    func apply(to x: UnsafeMutablePointer<Float>, heads: Int, position: Int,
               table: UnsafeMutablePointer<Float>) {
        let pairs = rotatedDimensions / 2
        for i in 0..<pairs {
            let angle = Double(position) * inverseFrequencies[i]
            table[2 * i] = Float(cos(angle))
            table[2 * i + 1] = Float(sin(angle))
        }
        for h in 0..<heads {
            let head = x + h * headDimension
            for i in 0..<pairs {
                let c = table[2 * i], s = table[2 * i + 1]
                let a = head[2 * i], b = head[2 * i + 1]
                head[2 * i] = a * c - b * s
                head[2 * i + 1] = a * s + b * c
            }
        }
    }
}
