import EngineInterface
import GGUF
import Tokenizer

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

/// Builds running sessions for stored weights. Runtime knows engines only through this seam; the
/// executable registers the concrete engines (CPU for GGUF files, NPU for model packages), so
/// Runtime never imports them.
public protocol EngineFactory: Sendable {
    /// A short name for logs and the engine-served header (`cpu`, `npu`).
    var name: String { get }
    func canLoad(_ weights: ModelWeights) -> Bool
    func makeSession(for weights: ModelWeights, options: EngineLoadOptions) async throws -> ModelSession
}

/// An engine for GGUF files: the tokenizer and chat template come from the file's metadata.
public protocol GGUFEngineFactory: EngineFactory {
    func makeEngine(for file: GGUFFile, options: EngineLoadOptions) throws -> any InferenceEngine
}

extension GGUFEngineFactory {
    public func canLoad(_ weights: ModelWeights) -> Bool {
        if case .gguf = weights { return true }
        return false
    }

    public func makeSession(for weights: ModelWeights, options: EngineLoadOptions) async throws -> ModelSession {
        try makeGGUFSession(path: weights.url.path, options: options)
    }

    public func makeGGUFSession(path: String, options: EngineLoadOptions) throws -> ModelSession {
        let file = try GGUFFile(path: path)
        let tokenizer = try BPETokenizer(configuration: TokenizerConfiguration(ggufFile: file))
        let engine = try makeEngine(for: file, options: options)
        return ModelSession(engine: engine, tokenizer: tokenizer, promptFormat: try ModelLoader.promptFormat(for: file, tokenizer: tokenizer))
    }
}
