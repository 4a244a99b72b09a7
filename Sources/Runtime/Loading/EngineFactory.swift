import EngineInterface
import GGUF

/// Settings that decide how a model is placed on an engine when it is loaded.
public struct EngineLoadOptions: Sendable, Equatable {
    /// Positions to allocate; nil means the model's trained context (capped by the engine).
    public var contextLength: Int?
    /// Worker threads for CPU engines; nil means one per core.
    public var threads: Int?

    public init(contextLength: Int? = nil, threads: Int? = nil) {
        self.contextLength = contextLength
        self.threads = threads
    }
}

/// Builds engines for model files. Runtime knows engines only through this seam; the executable
/// registers the concrete engines (CPU, NPU), so Runtime never imports them.
public protocol EngineFactory: Sendable {
    /// A short name for logs and the engine-served header (`cpu`, `npu`).
    var name: String { get }
    func makeEngine(for file: GGUFFile, options: EngineLoadOptions) throws -> any InferenceEngine
}
