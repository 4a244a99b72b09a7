import Foundation
import GGUF
import Tokenizer

/// Turns a model reference (a store name or a path to a .gguf) into a ready `ModelSession`.
public struct ModelLoader: Sendable {
    public let store: ModelStore
    public let factory: any EngineFactory

    public init(store: ModelStore, factory: any EngineFactory) {
        self.store = store
        self.factory = factory
    }

    /// A path that exists is used as it is; anything else is looked up in the store.
    public func modelFile(for reference: String) throws -> URL {
        if reference.hasSuffix(".gguf") || reference.contains("/") && FileManager.default.fileExists(atPath: reference) {
            guard FileManager.default.fileExists(atPath: reference) else { throw ModelStoreError.notFound(reference) }
            return URL(fileURLWithPath: reference)
        }
        return try store.modelFile(for: reference)
    }

    public func load(_ reference: String, options: EngineLoadOptions = EngineLoadOptions()) throws -> ModelSession {
        let file = try GGUFFile(path: modelFile(for: reference).path)
        let tokenizer = try BPETokenizer(configuration: TokenizerConfiguration(ggufFile: file))
        let engine = try factory.makeEngine(for: file, options: options)
        return ModelSession(engine: engine, tokenizer: tokenizer, promptFormat: Self.promptFormat(for: file))
    }

    /// The chat format for a model. ChatML for now: it is what the default model was trained on.
    static func promptFormat(for file: GGUFFile) -> any PromptFormat {
        let template = file.string("tokenizer.chat_template") ?? ""
        // SmolLM2's template inserts this system prompt when a conversation has none.
        let smolSystem = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
        return ChatMLPromptFormat(defaultSystemPrompt: template.contains(smolSystem) ? smolSystem : nil)
    }
}
