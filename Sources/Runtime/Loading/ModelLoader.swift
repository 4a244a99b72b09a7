import Foundation
import GGUF
import Tokenizer

/// Turns a model reference (a store name or a path to a .gguf) into a ready `ModelSession`,
/// choosing the first registered engine that runs the model's kind of weights.
public struct ModelLoader: Sendable {
    public let store: ModelStore
    public let factories: [any EngineFactory]

    public init(store: ModelStore, factories: [any EngineFactory]) {
        self.store = store
        self.factories = factories
    }

    public init(store: ModelStore, factory: any EngineFactory) {
        self.init(store: store, factories: [factory])
    }

    /// A path that exists is used as it is; anything else is looked up in the store.
    public func weights(for reference: String) throws -> ModelWeights {
        if reference.hasSuffix(".gguf") || reference.contains("/") && FileManager.default.fileExists(atPath: reference) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory) else { throw ModelStoreError.notFound(reference) }
            let url = URL(fileURLWithPath: reference)
            return isDirectory.boolValue ? .npuPackage(directory: url) : .gguf(url)
        }
        guard let name = ModelName(reference) else { throw ModelStoreError.invalidName(reference) }
        return try store.storedModel(name).weights
    }

    public func load(_ reference: String, options: EngineLoadOptions = EngineLoadOptions()) async throws -> ModelSession {
        try await load(weights(for: reference), options: options)
    }

    public func load(_ weights: ModelWeights, options: EngineLoadOptions = EngineLoadOptions()) async throws -> ModelSession {
        guard let factory = factories.first(where: { $0.canLoad(weights) }) else {
            throw ModelLoadError.noEngine(format: weights.format, engines: factories.map(\.name))
        }
        return try await factory.makeSession(for: weights, options: options)
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
