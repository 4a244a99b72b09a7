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
        return ModelSession(engine: engine, tokenizer: tokenizer, promptFormat: try Self.promptFormat(for: file, tokenizer: tokenizer))
    }

    /// The model's own chat template when it has one; ChatML otherwise.
    static func promptFormat(for file: GGUFFile, tokenizer: BPETokenizer) throws -> any PromptFormat {
        guard let source = file.string("tokenizer.chat_template"), !source.isEmpty else {
            return ChatMLPromptFormat()
        }
        func text(_ id: Int32?) -> String { id.flatMap(tokenizer.tokenText) ?? "" }
        return try ChatTemplatePromptFormat(source: source, beginOfSequence: text(tokenizer.bosTokenID),
                                            endOfSequence: text(tokenizer.eosTokenID))
    }
}
