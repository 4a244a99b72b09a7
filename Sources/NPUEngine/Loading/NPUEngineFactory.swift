import EngineInterface
import Foundation
import Runtime
import Tokenizer

/// Runs NPU model packages for the server: each package model is placed on a card of `cards`
/// (under its supervisor) with the package's own tokenizer and chat template.
public struct NPUEngineFactory: EngineFactory {
    public let name = "npu"
    public let cards: NPUCards
    public let options: NPUEngineOptions

    public init(cards: NPUCards, options: NPUEngineOptions = NPUEngineOptions()) {
        self.cards = cards
        self.options = options
    }

    public func canLoad(_ weights: ModelWeights) -> Bool {
        if case .npuPackage = weights { return true }
        return false
    }

    /// The context is the package's decode group, fixed when it was compiled: `num_ctx` cannot
    /// change it (axera.md §3.7: max_token_len is the compiled kv_cache_len).
    public func makeSession(for weights: ModelWeights, options loadOptions: EngineLoadOptions) async throws -> ModelSession {
        let package = try NPUModelPackage(directory: weights.url)
        let tokenizer = try BPETokenizer(configuration: package.tokenizerConfiguration())
        let format = try package.promptFormat(tokenizer: tokenizer)
        let engine = try await cards.pool().place(package, options: try await cards.engineOptions(options))
        return ModelSession(engine: engine, tokenizer: tokenizer, promptFormat: format)
    }
}
