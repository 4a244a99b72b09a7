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

    /// Floats one position's rotation table needs.
    var tableSize: Int { rotatedDimensions }

    /// Writes the cosine and sine of every pair's angle at `position`; computed once per token
    /// and shared by all layers, queries and keys.
    func fillTable(position: Int, into table: UnsafeMutablePointer<Float>) {
        for i in 0..<rotatedDimensions / 2 {
            let angle = Double(position) * inverseFrequencies[i]
            table[2 * i] = Float(cos(angle))
            table[2 * i + 1] = Float(sin(angle))
        }
    }

    /// Rotates `heads` consecutive heads starting at `x` by the angles in `table`.
    func rotate(_ x: UnsafeMutablePointer<Float>, heads: Int, table: UnsafePointer<Float>) {
        for h in 0..<heads {
            let head = x + h * headDimension
            for i in 0..<rotatedDimensions / 2 {
                let c = table[2 * i], s = table[2 * i + 1]
                let a = head[2 * i], b = head[2 * i + 1]
                head[2 * i] = a * c - b * s
                head[2 * i + 1] = a * s + b * c
            }
        }
    }
}
