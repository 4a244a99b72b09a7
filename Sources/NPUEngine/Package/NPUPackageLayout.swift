/// The two directory layouts the vendor publishes (axera.md §3.2).
public enum NPUPackageLayout: String, Sendable, CaseIterable {
    /// Older packages: layer files in a subdirectory, a Hugging Face tokenizer directory, and a
    /// run script whose command line names every file (axera.md §3.3).
    case runScript
    /// axllm packages: a flat directory described by `config.json` (axera.md §3.2).
    case configJSON
}

/// What a package says about itself, whichever layout carries it. Paths are relative to the
/// package directory.
public struct NPUPackageManifest: Sendable, Equatable {
    public var modelName: String
    /// `printf` template of the layer files, e.g. `qwen2_p128_l%d_together.axmodel`.
    public var layerTemplate: String
    public var layerCount: Int
    public var postModel: String
    public var embeddings: String
    public var vocabularySize: Int
    public var hiddenSize: Int
    /// A `tokenizer.json` file or the directory holding it.
    public var tokenizer: String?
    public var postConfig: String?
    public var addBOS: Bool
    public var addEOS: Bool

    public init(modelName: String, layerTemplate: String, layerCount: Int, postModel: String, embeddings: String,
                vocabularySize: Int, hiddenSize: Int, tokenizer: String?, postConfig: String?,
                addBOS: Bool = false, addEOS: Bool = false) {
        self.modelName = modelName
        self.layerTemplate = layerTemplate
        self.layerCount = layerCount
        self.postModel = postModel
        self.embeddings = embeddings
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.tokenizer = tokenizer
        self.postConfig = postConfig
        self.addBOS = addBOS
        self.addEOS = addEOS
    }

    /// The layer file of `index`: the template's `%d` replaced (ax-llm formats it with sprintf).
    public func layerFile(_ index: Int) -> String {
        layerTemplate.replacingOccurrences(of: "%d", with: String(index))
    }
}
