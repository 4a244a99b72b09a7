import Foundation
import OllamaAPI
import Runtime
import Tokenizer

/// A resident model: the store entry it came from, its running session, and the Modelfile
/// settings that apply to every request on it.
public struct LoadedModel: Sendable {
    public let stored: StoredModel
    public let session: ModelSession
    /// Positions the engine holds (the loaded `num_ctx`).
    public let contextLength: Int
    /// Accelerator memory the engine holds (an NPU card's CMM), nil for CPU engines.
    public let deviceMemoryBytes: Int64?
    /// Modelfile PARAMETERs; request options override them.
    public let parameters: RequestOptions
    /// Modelfile MESSAGEs, put before the conversation.
    public let messages: [ChatMessage]
    public let tokenizer: BPETokenizer
    public let promptFormat: any PromptFormat

    public init(stored: StoredModel, session: ModelSession) async throws {
        self.stored = stored
        self.session = session
        let descriptor = await session.descriptor
        contextLength = descriptor.contextLength
        deviceMemoryBytes = descriptor.deviceMemoryBytes
        tokenizer = await session.tokenizer
        // A Modelfile TEMPLATE replaces the model's own chat template.
        if let source = stored.template, !source.isEmpty {
            promptFormat = try GoTemplatePromptFormat(source: source)
        } else {
            promptFormat = session.promptFormat
        }
        parameters = try stored.parametersJSON.map { try RequestOptions(map: WireCoding.decode([String: JSONValue].self, from: $0)) } ?? RequestOptions()
        messages = try stored.messagesJSON.map { try WireCoding.decode([Message].self, from: $0).map(ToolCallConversion.chatMessage) } ?? []
    }
}
