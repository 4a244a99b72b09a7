import AXCL
import Foundation
import Runtime
import Tokenizer

/// What the server needs beyond the engine: the package's tokenizer, chat template and sampling
/// defaults (issue 6 item 1).
extension NPUModelPackage {
    public func tokenizerConfiguration() throws -> TokenizerConfiguration {
        guard let tokenizerDirectory else {
            throw NPUEngineError.invalidPackage(directory: directory.path, reason: "it has no tokenizer.json (neither named nor in a subdirectory)")
        }
        return try TokenizerConfiguration(huggingFaceDirectory: tokenizerDirectory)
    }

    /// The `chat_template` of `tokenizer_config.json`, when the package ships one.
    public var chatTemplate: String? {
        guard let url = tokenizerDirectory?.appendingPathComponent("tokenizer_config.json"),
              let data = try? Data(contentsOf: url),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return nil }
        return object["chat_template"] as? String
    }

    public func promptFormat(tokenizer: BPETokenizer) throws -> any PromptFormat {
        guard let source = chatTemplate, !source.isEmpty else { return ChatMLPromptFormat() }
        func text(_ id: Int32?) -> String { id.flatMap(tokenizer.tokenText) ?? "" }
        return try ChatTemplatePromptFormat(source: source, beginOfSequence: text(tokenizer.bosTokenID),
                                            endOfSequence: text(tokenizer.eosTokenID))
    }

    /// The package's `post_config.json`, when it ships one.
    public func postConfig() throws -> PostConfig? {
        try postConfigFile.map { try PostConfig(contentsOf: $0) }
    }
}

/// Loads a package onto a card and wraps it for generation: the entry point for `FROM <dir>` in a
/// Modelfile and for packages found in a models directory.
public enum NPUPackageLoader {
    public static func session(directory: URL, device: AXCLDevice, options: NPUEngineOptions = NPUEngineOptions())
        async throws -> (session: ModelSession, engine: NPUEngine)
    {
        let package = try NPUModelPackage(directory: directory)
        let tokenizer = try BPETokenizer(configuration: package.tokenizerConfiguration())
        let format = try package.promptFormat(tokenizer: tokenizer)
        let engine = try await NPUEngine.load(package, on: device, options: options)
        return (ModelSession(engine: engine, tokenizer: tokenizer, promptFormat: format), engine)
    }
}
