import Foundation
import Runtime
import Testing

/// Models registered from NPU package directories: the store references the directory, never
/// copies or deletes it, and takes the package's sampling defaults under the Modelfile's.
struct PackageModelStoreTests {
    /// Says a directory is a package when it holds a `config.json`; the engine module's reader
    /// does the real parsing, this one stands in for it.
    struct ConfigFileReader: ModelPackageReader {
        struct Missing: Error, CustomStringConvertible { var description: String { "it has no config.json" } }

        func summary(of directory: URL) throws -> ModelPackageSummary {
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("config.json").path) else { throw Missing() }
            return ModelPackageSummary(format: "axmodel", family: "qwen2", parameterSize: "1.5B", quantization: "W8A16", contextLength: nil,
                                       embeddingLength: 1536, vocabularySize: 151_936, layerCount: 28, chatTemplate: "{{ messages }}",
                                       defaultParameters: ["temperature": .number(0.9), "top_k": .integer(10)])
        }
    }

    final class Scratch: Sendable {
        let root: URL
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("axllama-packages-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: root) }

        var store: ModelStore { ModelStore(root: root.appendingPathComponent("store")) }

        func package(_ name: String, under parent: URL? = nil) throws -> URL {
            let directory = (parent ?? root).appendingPathComponent(name)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data("{}".utf8).write(to: directory.appendingPathComponent("config.json"))
            return directory
        }
    }

    func parameters(_ model: StoredModel) throws -> [String: Double] {
        let data = try #require(model.parametersJSON)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }

    @Test func packageDirectoryIsReferencedNotCopied() throws {
        let scratch = try Scratch()
        let directory = try scratch.package("qwen2.5-1.5b-int8")
        var statuses: [String] = []
        let creator = ModelCreator(store: scratch.store, packageReader: ConfigFileReader())
        try creator.create(ModelName("qwen")!, from: ModelRecipe(base: .file(directory))) { statuses.append($0) }
        let model = try scratch.store.storedModel(ModelName("qwen")!)
        #expect(model.weights.format == "axmodel" && model.weights.url.path == directory.standardizedFileURL.path)
        #expect(model.manifest.packageLayer != nil && model.manifest.modelLayer == nil)
        #expect(model.config?.modelFormat == "axmodel" && model.config?.modelFamily == "qwen2")
        #expect(model.config?.modelType == "1.5B" && model.config?.fileType == "W8A16")
        #expect(model.totalSize < 4096)
        #expect(statuses.first == "reading NPU model package" && statuses.last == "success")
    }

    @Test func packageSamplingDefaultsGiveWayToModelfileParameters() throws {
        let scratch = try Scratch()
        let directory = try scratch.package("pkg")
        let creator = ModelCreator(store: scratch.store, packageReader: ConfigFileReader())
        try creator.create(ModelName("plain")!, from: ModelRecipe(base: .file(directory))) { _ in }
        #expect(try parameters(scratch.store.storedModel(ModelName("plain")!)) == ["temperature": 0.9, "top_k": 10])

        let modelfile = Data(#"{"temperature":0.2,"num_ctx":2048}"#.utf8)
        try creator.create(ModelName("tuned")!, from: ModelRecipe(base: .file(directory), parametersJSON: modelfile)) { _ in }
        #expect(try parameters(scratch.store.storedModel(ModelName("tuned")!)) == ["temperature": 0.2, "num_ctx": 2048, "top_k": 10])
    }

    @Test func directoryThatIsNotAPackageIsRefusedWithTheReason() throws {
        let scratch = try Scratch()
        let empty = scratch.root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let creator = ModelCreator(store: scratch.store, packageReader: ConfigFileReader())
        #expect(throws: ModelCreateError.notAPackage(path: empty.path, reason: "it has no config.json")) {
            try creator.create(ModelName("x")!, from: ModelRecipe(base: .file(empty))) { _ in }
        }
        #expect(throws: ModelCreateError.unsupportedDirectory(empty.path)) {
            try ModelCreator(store: scratch.store).create(ModelName("x")!, from: ModelRecipe(base: .file(empty))) { _ in }
        }
        #expect(scratch.store.allModelNames().isEmpty)
    }

    @Test func copyAndDeleteLeaveThePackageDirectory() throws {
        let scratch = try Scratch()
        let directory = try scratch.package("pkg")
        let store = scratch.store
        try ModelCreator(store: store, packageReader: ConfigFileReader()).create(ModelName("a")!, from: ModelRecipe(base: .file(directory))) { _ in }
        try store.copyModel(from: ModelName("a")!, to: ModelName("b")!)
        #expect(try store.storedModel(ModelName("b")!).weights.url.path == directory.standardizedFileURL.path)
        try store.deleteModel(ModelName("a")!)
        try store.deleteModel(ModelName("b")!)
        #expect(store.allModelNames().isEmpty)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("config.json").path))
    }

    @Test func modelWhosePackageDirectoryWentAwayIsStillListedAndRemovable() throws {
        let scratch = try Scratch()
        let directory = try scratch.package("pkg")
        let store = scratch.store
        try ModelCreator(store: store, packageReader: ConfigFileReader()).create(ModelName("gone")!, from: ModelRecipe(base: .file(directory))) { _ in }
        try FileManager.default.removeItem(at: directory)
        #expect(try store.storedModel(ModelName("gone")!).weights.format == "axmodel")
        try store.deleteModel(ModelName("gone")!)
        #expect(store.allModelNames().isEmpty)
    }

    @Test func packagesDirectoryOfTheStoreRegistersEachPackageAsLatest() throws {
        let scratch = try Scratch()
        let store = scratch.store
        let scan = PackageDirectoryScan(store: store, reader: ConfigFileReader())
        _ = try scratch.package("qwen3-1.7b", under: scan.directory)
        try FileManager.default.createDirectory(at: scan.directory.appendingPathComponent("not-a-package"), withIntermediateDirectories: true)
        var lines: [String] = []
        scan.registerNewPackages { lines.append($0) }
        #expect(store.allModelNames().map(\.displayShortest) == ["qwen3-1.7b:latest"])
        #expect(lines.count == 2 && lines.contains { $0.contains("not-a-package") && $0.contains("no config.json") })

        // A second start registers nothing new and keeps what was there.
        lines.removeAll()
        scan.registerNewPackages { lines.append($0) }
        #expect(store.allModelNames().count == 1 && lines.count == 1)
    }
}
