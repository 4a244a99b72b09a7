import Glibc

/// Rotary position embedding as ggml applies it: pair i of each head turns by
/// pos · scale · base^(-2i/d) / factor[i] (ggml `rope_yarn` without extrapolation; the factors
/// are Llama 3's `rope_freqs.weight`, 1 otherwise).
struct RotaryEmbedding {
    /// Which two dimensions of a head form pair i.
    enum Pairing {
        /// (x[2i], x[2i+1]) — LLAMA_ROPE_TYPE_NORM; the GGUF converter permutes llama's Q/K
        /// weights so that this pairing matches the Hugging Face "rotate half" layout.
        case adjacent
        /// (x[i], x[i + d/2]) — LLAMA_ROPE_TYPE_NEOX, used unpermuted by Qwen.
        case halves
    }

    let headDimension: Int
    let rotatedDimensions: Int
    let pairing: Pairing
    private let inverseFrequencies: [Double]

    init(headDimension: Int, rotatedDimensions: Int, base: Float, pairing: Pairing = .adjacent,
         frequencyScale: Float = 1, frequencyFactors: [Float]? = nil) {
        precondition(frequencyFactors == nil || frequencyFactors!.count == rotatedDimensions / 2)
        self.headDimension = headDimension
        self.rotatedDimensions = rotatedDimensions
        self.pairing = pairing
        inverseFrequencies = (0..<rotatedDimensions / 2).map {
            let factor = Double(frequencyFactors?[$0] ?? 1)
            return Double(frequencyScale) * pow(Double(base), -2 * Double($0) / Double(rotatedDimensions)) / factor
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
        let pairs = rotatedDimensions / 2
        // pair i is (head[stride·i], head[stride·i + partner])
        let (stride, partner) = pairing == .adjacent ? (2, 1) : (1, pairs)
        for h in 0..<heads {
            let head = x + h * headDimension
            for i in 0..<pairs {
                let c = table[2 * i], s = table[2 * i + 1]
                let j = stride * i
                let a = head[j], b = head[j + partner]
                head[j] = a * c - b * s
                head[j + partner] = a * s + b * c
            }
        }
    }
}
