import Foundation

/// Models found in the store's `packages/` directory: each package directory `packages/<name>/`
/// becomes the model `<name>:latest` when no model has that name yet. Registering writes an
/// ordinary manifest, so the model is then listed, shown, copied and removed like any other;
/// removing it leaves the directory, and the next start registers it again.
public struct PackageDirectoryScan: Sendable {
    public let store: ModelStore
    public let reader: any ModelPackageReader

    public init(store: ModelStore, reader: any ModelPackageReader) {
        self.store = store
        self.reader = reader
    }

    public var directory: URL { store.root.appendingPathComponent("packages") }

    /// Registers the new packages; `report` gets one line per package registered or refused.
    public func registerNewPackages(report: (String) -> Void) {
        let children = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.filter { !$0.hasPrefix(".") }.sorted() ?? []
        for child in children {
            let url = directory.appendingPathComponent(child, isDirectory: true)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            guard let name = ModelName(child) else {
                report("packages/\(child) is not registered: '\(child)' is not a valid model name")
                continue
            }
            if store.existingName(name) != nil { continue }
            do {
                try ModelCreator(store: store, packageReader: reader).create(name, from: ModelRecipe(base: .file(url))) { _ in }
                report("registered NPU model package packages/\(child) as \(name.displayShortest)")
            } catch {
                report("packages/\(child) is not registered: \(error)")
            }
        }
    }
}
