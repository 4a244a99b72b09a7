import Foundation
import GGUF
import NPUEngine
import Runtime
import SimulatedAXModel
import Tokenizer

/// Turns a GGUF model into an NPU model package in either vendor layout (axera.md §3.2), with
/// simulated `.axmodel` files that the AXCL simulator executes. Everything but the layer files'
/// contents is what a vendor package holds, so the NPU engine reads both the same way.
public struct NPUPackageConverter {
    public struct Options: Sendable {
        public var layout: NPUPackageLayout
        /// Positions of the decode group's cache: the converted model's context limit.
        public var contextLength: Int
        public var chunk: Int
        public var historyStep: Int
        /// Defaults to the GGUF's `general.name` (or its file name) with `-ax650` appended.
        public var modelName: String?
        /// How the layer and post models carry their weight matrices.
        public var weights: SimulatedWeightEncoding
        /// The data type of what the layer models exchange (hidden state, mask, K/V cache rows):
        /// bf16 as in the vendor's packages (axera.md §3.4).
        public var activations: FloatIOType
        /// The data type of the post model's logits: bf16 as in the vendor's packages.
        public var logits: FloatIOType
        /// The element type of the embedding table: bf16 as in the vendor's packages, or fp32,
        /// which holds the GGUF's dequantized rows exactly as the CPU engine embeds them.
        public var embeddings: FloatIOType

        public init(layout: NPUPackageLayout, contextLength: Int = 1024, chunk: Int = 128, historyStep: Int = 256,
                    modelName: String? = nil, weights: SimulatedWeightEncoding = .asInGGUF,
                    activations: FloatIOType = .bf16, logits: FloatIOType = .bf16, embeddings: FloatIOType = .bf16) {
            self.layout = layout
            self.contextLength = contextLength
            self.chunk = chunk
            self.historyStep = historyStep
            self.modelName = modelName
            self.weights = weights
            self.activations = activations
            self.logits = logits
            self.embeddings = embeddings
        }
    }

    public let file: GGUFFile
    public let source: SourceModel
    public let options: Options

    public init(file: GGUFFile, options: Options) throws {
        self.file = file
        self.source = try SourceModel(file: file)
        self.options = options
    }

    /// Writes the package into `directory` (created; it must not hold files) and returns it read back.
    @discardableResult
    public func write(to directory: URL, progress: (String) -> Void = { _ in }) throws -> NPUModelPackage {
        let manager = FileManager.default
        if let contents = try? manager.contentsOfDirectory(atPath: directory.path), !contents.isEmpty {
            throw ConversionError.outputExists(directory.path)
        }
        guard EmbeddingTable.elementTypes.contains(options.embeddings) else {
            throw ConversionError.invalidOptions("the embedding table is bf16 or fp32, not \(options.embeddings.rawValue)")
        }
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        let ladder = try ShapeGroupLadder(contextLength: options.contextLength, chunk: options.chunk, historyStep: options.historyStep)
        let arch = source.architecture
        let name = options.modelName ?? Self.defaultName(of: file)
        // Old packages keep the engines in `<name>/` beside a `<arch>_tokenizer/` directory; new ones are flat.
        let modelDirectory = options.layout == .runScript ? "\(name)/" : ""
        let tokenizerDirectory = options.layout == .runScript ? "\(arch)_tokenizer/" : ""
        let manifest = NPUPackageManifest(
            modelName: name, layerTemplate: "\(modelDirectory)\(arch)_p\(options.chunk)_l%d_together.axmodel",
            layerCount: source.layerCount, postModel: "\(modelDirectory)\(arch)_post.axmodel",
            embeddings: "\(modelDirectory)\(Self.embeddingFileName(options.embeddings))",
            vocabularySize: source.vocabularySize, hiddenSize: source.hidden,
            tokenizer: options.layout == .configJSON ? "tokenizer.json" : nil,
            postConfig: options.layout == .configJSON ? "post_config.json" : nil)
        if !modelDirectory.isEmpty {
            try manager.createDirectory(at: directory.appendingPathComponent(modelDirectory), withIntermediateDirectories: true)
        }

        let models = SimulatedLayerModels(file: file, source: source, ladder: ladder, compilerVersion: "axsim 1 (from GGUF)",
                                          weights: options.weights, activations: options.activations, logits: options.logits)
        for index in 0 ..< source.layerCount {
            progress("layer \(index + 1)/\(source.layerCount)")
            try models.layer(index).write(to: directory.appendingPathComponent(manifest.layerFile(index)))
        }
        progress("post model")
        try models.post().write(to: directory.appendingPathComponent(manifest.postModel))
        progress("embeddings")
        try writeEmbeddings(to: directory.appendingPathComponent(manifest.embeddings))

        progress("tokenizer")
        let tokenizerURL = directory.appendingPathComponent(tokenizerDirectory)
        try manager.createDirectory(at: tokenizerURL, withIntermediateDirectories: true)
        let files = try TokenizerConfiguration(ggufFile: file).huggingFaceFiles(chatTemplate: file.string("tokenizer.chat_template"))
        try files.tokenizerJSON.write(to: tokenizerURL.appendingPathComponent("tokenizer.json"))
        try files.tokenizerConfigJSON.write(to: tokenizerURL.appendingPathComponent("tokenizer_config.json"))

        try json(PostConfig.vendorDefaultObject()).write(to: directory.appendingPathComponent("post_config.json"))
        switch options.layout {
        case .runScript:
            let script = manifest.runScript().rendered(executable: "./main_axcl_aarch64")
            let scriptURL = directory.appendingPathComponent("run_\(name)_axcl_aarch64.sh")
            try Data(script.utf8).write(to: scriptURL)
            try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scriptURL.path)
            // Old packages ship an empty config.json (axera.md §3.2).
            try Data().write(to: directory.appendingPathComponent("config.json"))
        case .configJSON:
            let object = manifest.configObject(tokenizerType: Self.tokenizerType(of: arch))
            try json(object).write(to: directory.appendingPathComponent("config.json"))
        }
        return try NPUModelPackage(directory: directory)
    }

    /// Raw little-endian rows `[vocabulary, hidden]` (axera.md §3.2): bf16 rounded to nearest, or
    /// the f32 values themselves.
    private func writeEmbeddings(to url: URL) throws {
        guard let info = file.tensor(named: "token_embd.weight") else { throw ConversionError.missingTensor("token_embd.weight") }
        let values = try WeightDequantization.floats(of: info, in: file)
        if options.embeddings == .fp32 {
            try values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { Data($0) }.write(to: url)
        } else {
            try values.map { Float.bf16Bits($0).littleEndian }.withUnsafeBytes { Data($0) }.write(to: url)
        }
    }

    /// The vendor's name for the bf16 table (axera.md §3.2); the fp32 table is named after its type
    /// the same way, since the reader tells the two apart by size alone.
    static func embeddingFileName(_ type: FloatIOType) -> String {
        type == .fp32 ? "model.embed_tokens.weight.float32.bin" : "model.embed_tokens.weight.bfloat16.bin"
    }

    private func json(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    static func defaultName(of file: GGUFFile) -> String {
        let base = file.string("general.name") ?? URL(fileURLWithPath: file.path).deletingPathExtension().lastPathComponent
        let slug = base.lowercased().map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" }
        return String(slug) + "-ax650"
    }

    /// axllm's `tokenizer_type` names (axera.md §3.2).
    static func tokenizerType(of architecture: String) -> String {
        switch architecture {
        case "qwen2": return "Qwen2.5"
        case "qwen3": return "Qwen3"
        default: return "Llama"
        }
    }
}
