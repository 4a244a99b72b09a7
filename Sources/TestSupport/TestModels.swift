import Foundation
import Runtime

/// Where tests find real models. Model weights are never part of the repository: the default
/// model is fetched into the store by `scripts/fetch-default-model.sh`, and a test that needs it
/// is skipped when it is absent.
public enum TestModels {
    /// The name the fetch script registers the default model under.
    public static let defaultModelName = "smollm2:135m"

    /// `$AXLLAMA_TEST_MODEL` (a .gguf path) when set, else the default model from the store.
    public static func defaultModelURL() -> URL? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["AXLLAMA_TEST_MODEL"], !path.isEmpty {
            return FileManager.default.fileExists(atPath: path) ? URL(fileURLWithPath: path) : nil
        }
        let store = ModelStore(root: ModelStore.defaultRoot(environment: environment))
        return try? store.modelFile(for: defaultModelName)
    }

    public static var hasDefaultModel: Bool { defaultModelURL() != nil }

    /// The repository's root directory, found from this file's location.
    public static func repositoryRoot(file: String = #filePath) -> URL {
        URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The shared reference folder beside the repository (`../shared`), when present.
    public static func sharedDirectory() -> URL? {
        let url = repositoryRoot().deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}
