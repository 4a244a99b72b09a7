import CPUEngine
import EngineInterface
import GGUF
import Runtime

/// Builds CPU engines for GGUF models.
struct CPUEngineFactory: GGUFEngineFactory {
    let name = "cpu"

    func makeEngine(for file: GGUFFile, options: EngineLoadOptions) throws -> any InferenceEngine {
        try CPUEngine(file: file, contextLength: options.contextLength, threads: options.threads)
    }
}
