import Foundation
import GGUF

/// What a new model is built from, after the caller has resolved the request or Modelfile.
public struct ModelRecipe: Sendable {
    public enum Base: Sendable, Equatable {
        /// A model already in the store: its layers are reused.
        case model(ModelName)
        /// A GGUF file on this machine, copied into the store, or an NPU model package directory,
        /// referenced where it is.
        case file(URL)
        /// A GGUF blob already in the store (uploaded through `/api/blobs`).
        case blob(digest: String)
    }

    public var base: Base
    public var template: String?
    public var system: String?
    public var license: [String]
    /// JSON object of typed PARAMETERs; replaces the base model's when set.
    public var parametersJSON: Data?
    /// JSON array of MESSAGEs; replaces the base model's when set.
    public var messagesJSON: Data?

    public init(base: Base, template: String? = nil, system: String? = nil, license: [String] = [], parametersJSON: Data? = nil, messagesJSON: Data? = nil) {
        self.base = base
        self.template = template
        self.system = system
        self.license = license
        self.parametersJSON = parametersJSON
        self.messagesJSON = messagesJSON
    }
}

public enum ModelCreateError: Error, Equatable, CustomStringConvertible {
    case baseNotFound(String)
    case notGGUF(path: String, reason: String)
    case unsupportedDirectory(String)
    case notAPackage(path: String, reason: String)

    public var description: String {
        switch self {
        case let .baseNotFound(base): return "base model '\(base)' not found: name a model in the store, a GGUF file or an uploaded blob"
        case let .notGGUF(path, reason): return "'\(path)' is not a readable GGUF model: \(reason)"
        case let .unsupportedDirectory(path):
            return "'\(path)' is a directory, and this server has no NPU engine to run model packages"
        case let .notAPackage(path, reason):
            return "'\(path)' is not a usable NPU model package: \(reason)"
        }
    }
}

/// Writes new models into the store: layers from the base, Modelfile layers on top, a config
/// blob describing the weights, then the manifest (ollama `server/create.go`).
public struct ModelCreator: Sendable {
    public let store: ModelStore
    /// Reads NPU model package directories; without it a directory is refused.
    public let packageReader: (any ModelPackageReader)?

    public init(store: ModelStore, packageReader: (any ModelPackageReader)? = nil) {
        self.store = store
        self.packageReader = packageReader
    }

    /// Creates `name`, reporting Ollama's status lines through `progress`.
    public func create(_ name: ModelName, from recipe: ModelRecipe, progress: (String) -> Void) throws {
        var layers: [ModelManifest.Layer] = []
        var config: ModelConfigBlob?
        var parametersJSON = recipe.parametersJSON
        switch recipe.base {
        case let .model(baseName):
            guard let existing = store.existingName(baseName) else { throw ModelCreateError.baseNotFound(baseName.displayShortest) }
            let base = try store.storedModel(existing)
            progress("using existing layer \((base.manifest.modelLayer ?? base.manifest.packageLayer)?.digest ?? "")")
            layers = base.manifest.layers
            config = base.config
        case let .file(url):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw ModelCreateError.baseNotFound(url.path) }
            if isDirectory.boolValue {
                let summary = try readPackage(url, progress: progress)
                config = Self.describe(summary)
                let reference = PackageReference(directory: url.standardizedFileURL.path)
                progress("using package directory \(reference.directory)")
                layers = [try store.addBlob(try JSONEncoder().encode(reference), mediaType: ModelManifest.npuPackageMediaType)]
                parametersJSON = try Self.parameters(recipe.parametersJSON, over: summary.defaultParameters)
                break
            }
            progress("parsing GGUF")
            config = try Self.describe(url)
            progress("copying file \(url.lastPathComponent)")
            let data = try Data(contentsOf: url, options: .alwaysMapped)
            layers = [try store.addBlob(data, mediaType: ModelManifest.modelMediaType)]
        case let .blob(digest):
            guard store.hasBlob(digest: digest) else { throw ModelCreateError.baseNotFound(digest) }
            progress("parsing GGUF")
            let url = store.blobURL(digest: digest)
            config = try Self.describe(url)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            progress("using existing layer \(digest)")
            layers = [ModelManifest.Layer(mediaType: ModelManifest.modelMediaType, digest: digest, size: size)]
        }

        func replace(_ mediaType: String, with data: Data?) throws {
            guard let data else { return }
            layers.removeAll { $0.mediaType == mediaType }
            let layer = try store.addBlob(data, mediaType: mediaType)
            progress("using layer \(layer.digest)")
            layers.append(layer)
        }
        try replace(StoredModel.templateMediaType, with: recipe.template.map { Data($0.utf8) })
        try replace(StoredModel.systemMediaType, with: recipe.system.map { Data($0.utf8) })
        try replace(StoredModel.parametersMediaType, with: parametersJSON)
        try replace(StoredModel.messagesMediaType, with: recipe.messagesJSON)
        if !recipe.license.isEmpty {
            layers.removeAll { $0.mediaType == StoredModel.licenseMediaType }
            for text in recipe.license { layers.append(try store.addBlob(Data(text.utf8), mediaType: StoredModel.licenseMediaType)) }
        }

        var blob = config ?? ModelConfigBlob(modelFormat: "gguf", modelFamily: nil, modelFamilies: nil, modelType: nil, fileType: nil, diffIDs: [])
        blob.rootfs = ModelConfigBlob.RootFS(type: "layers", diffIDs: layers.map(\.digest))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let configLayer = try store.addBlob(try encoder.encode(blob), mediaType: ModelManifest.configMediaType)
        progress("writing manifest")
        try store.writeManifest(ModelManifest(config: configLayer, layers: layers), for: name)
        progress("success")
    }

    private func readPackage(_ url: URL, progress: (String) -> Void) throws -> ModelPackageSummary {
        guard let packageReader else { throw ModelCreateError.unsupportedDirectory(url.path) }
        progress("reading NPU model package")
        do {
            return try packageReader.summary(of: url)
        } catch {
            throw ModelCreateError.notAPackage(path: url.path, reason: "\(error)")
        }
    }

    static func describe(_ summary: ModelPackageSummary) -> ModelConfigBlob {
        ModelConfigBlob(modelFormat: summary.format, modelFamily: summary.family, modelFamilies: [summary.family],
                        modelType: summary.parameterSize, fileType: summary.quantization, diffIDs: [])
    }

    /// The Modelfile's PARAMETERs over the package's defaults: a default appears only where the
    /// Modelfile does not set that parameter.
    static func parameters(_ modelfile: Data?, over defaults: [String: PackageParameter]) throws -> Data? {
        let set = try modelfile.map { try JSONSerialization.jsonObject(with: $0) as? [String: Any] ?? [:] } ?? [:]
        let added = defaults.keys.sorted().filter { set[$0] == nil }
        guard !added.isEmpty else { return modelfile }
        let pairs = added.map { "\"\($0)\":\(defaults[$0]!.jsonText)" }
        // The Modelfile's object is kept byte for byte; the defaults are appended to it.
        guard let modelfile, var text = String(data: modelfile, encoding: .utf8), let close = text.lastIndex(of: "}") else {
            return Data(("{" + pairs.joined(separator: ",") + "}").utf8)
        }
        text.replaceSubrange(close..., with: (set.isEmpty ? "" : ",") + pairs.joined(separator: ",") + "}")
        return Data(text.utf8)
    }

    /// Family, size and quantization of a GGUF file, as the config blob records them.
    static func describe(_ url: URL) throws -> ModelConfigBlob {
        let file: GGUFFile
        do {
            file = try GGUFFile(path: url.path)
        } catch {
            throw ModelCreateError.notGGUF(path: url.path, reason: "\(error)")
        }
        let family = file.architecture ?? "unknown"
        let parameters = file.int("general.parameter_count") ?? file.tensors.reduce(0) { $0 + $1.elementCount }
        return ModelConfigBlob(modelFormat: "gguf", modelFamily: family, modelFamilies: [family],
                               modelType: humanCount(parameters), fileType: fileTypeName(file), diffIDs: [])
    }

    /// `135M`, `1.7B`, as Ollama prints parameter counts (ollama `format.HumanNumber`).
    static func humanCount(_ count: Int) -> String {
        func trimmed(_ value: Double) -> String {
            let rounded = (value * 10).rounded() / 10
            return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        }
        switch count {
        case 1_000_000_000...: return trimmed(Double(count) / 1e9) + "B"
        case 1_000_000...: return trimmed(Double(count) / 1e6) + "M"
        case 1_000...: return trimmed(Double(count) / 1e3) + "K"
        default: return String(count)
        }
    }

    /// `general.file_type` as llama.cpp names it (llama.cpp `llama_ftype`), else the most common
    /// tensor type.
    static func fileTypeName(_ file: GGUFFile) -> String {
        let names = [0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S",
                     12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 32: "BF16"]
        if let type = file.int("general.file_type"), let name = names[type] { return name }
        var counts: [String: Int] = [:]
        for tensor in file.tensors { counts[tensor.type.name, default: 0] += tensor.elementCount }
        return counts.max { $0.value < $1.value }?.key ?? "unknown"
    }
}
