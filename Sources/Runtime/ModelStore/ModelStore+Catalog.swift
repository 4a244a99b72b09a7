import Foundation

/// Listing, reading and changing the models of the store (what `/api/tags`, `show`, `copy`,
/// `delete`, `create` and the blob endpoints need).
extension ModelStore {
    /// Every name that has a manifest, found by walking `manifests/<host>/<namespace>/<model>/<tag>`.
    public func allModelNames() -> [ModelName] {
        let manager = FileManager.default
        let base = root.appendingPathComponent("manifests")
        func children(_ url: URL) -> [String] {
            ((try? manager.contentsOfDirectory(atPath: url.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        }
        var names: [ModelName] = []
        for host in children(base) {
            for namespace in children(base.appendingPathComponent(host)) {
                for model in children(base.appendingPathComponent(host).appendingPathComponent(namespace)) {
                    let modelURL = base.appendingPathComponent(host).appendingPathComponent(namespace).appendingPathComponent(model)
                    for tag in children(modelURL) {
                        if let name = ModelName("\(host)/\(namespace)/\(model):\(tag)") { names.append(name) }
                    }
                }
            }
        }
        return names
    }

    /// The stored name matching `name`, compared part by part without regard to case as Ollama does.
    public func existingName(_ name: ModelName) -> ModelName? {
        if FileManager.default.fileExists(atPath: manifestURL(for: name).path) { return name }
        return allModelNames().first { $0.fullName.lowercased() == name.fullName.lowercased() }
    }

    public func storedModel(_ requested: ModelName) throws -> StoredModel {
        guard let name = existingName(requested) else { throw ModelStoreError.notFound(requested.displayShortest) }
        let url = manifestURL(for: name)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ModelStoreError.notFound(name.displayShortest) }
        let manifest: ModelManifest
        do {
            manifest = try JSONDecoder().decode(ModelManifest.self, from: data)
        } catch {
            throw ModelStoreError.unreadableManifest(name: name.displayShortest, reason: "\(error)")
        }
        var info = stat()
        stat(url.path, &info)
        return try StoredModel(name: name, manifest: manifest, manifestDigest: SHA256Digest.hex(of: data),
                               modifiedAt: (Int64(info.st_mtim.tv_sec), Int32(info.st_mtim.tv_nsec)), store: self)
    }

    /// Writes a manifest under `name`, replacing any previous one.
    public func writeManifest(_ manifest: ModelManifest, for name: ModelName) throws {
        let url = manifestURL(for: name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(manifest).write(to: url, options: .atomic)
    }

    public func copyModel(from source: ModelName, to destination: ModelName) throws {
        guard let existing = existingName(source) else { throw ModelStoreError.notFound(source.displayShortest) }
        let target = manifestURL(for: destination)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let data = try Data(contentsOf: manifestURL(for: existing))
        try data.write(to: target, options: .atomic)
    }

    /// Removes the manifest, then every blob no manifest refers to any more.
    public func deleteModel(_ name: ModelName) throws {
        guard let existing = existingName(name) else { throw ModelStoreError.notFound(name.displayShortest) }
        try FileManager.default.removeItem(at: manifestURL(for: existing))
        var directory = manifestURL(for: existing).deletingLastPathComponent()
        let manifests = root.appendingPathComponent("manifests").standardizedFileURL.path
        while directory.standardizedFileURL.path.count > manifests.count,
              (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: directory)
            directory = directory.deletingLastPathComponent()
        }
        pruneUnusedBlobs()
    }

    public func pruneUnusedBlobs() {
        var used = Set<String>()
        for name in allModelNames() {
            guard let data = FileManager.default.contents(atPath: manifestURL(for: name).path),
                  let manifest = try? JSONDecoder().decode(ModelManifest.self, from: data) else { continue }
            used.insert(manifest.config.digest.replacingOccurrences(of: ":", with: "-"))
            for layer in manifest.layers { used.insert(layer.digest.replacingOccurrences(of: ":", with: "-")) }
        }
        let blobs = root.appendingPathComponent("blobs")
        for file in (try? FileManager.default.contentsOfDirectory(atPath: blobs.path)) ?? [] where file.hasPrefix("sha256-") && !used.contains(file) {
            try? FileManager.default.removeItem(at: blobs.appendingPathComponent(file))
        }
    }

    /// `sha256:<64 hex>` or `sha256-<64 hex>`, normalised to the colon form; nil otherwise.
    public static func normalizedDigest(_ text: String) -> String? {
        let hex = text.dropFirst(7)
        guard text.hasPrefix("sha256:") || text.hasPrefix("sha256-"), hex.count == 64,
              hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return "sha256:" + hex
    }

    public func hasBlob(digest: String) -> Bool {
        FileManager.default.fileExists(atPath: blobURL(digest: digest).path)
    }

    /// Stores `data` under its digest and returns the layer that refers to it.
    @discardableResult
    public func addBlob(_ data: Data, mediaType: String) throws -> ModelManifest.Layer {
        let digest = "sha256:" + SHA256Digest.hex(of: data)
        if !hasBlob(digest: digest) {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("blobs"), withIntermediateDirectories: true)
            try data.write(to: blobURL(digest: digest), options: .atomic)
        }
        return ModelManifest.Layer(mediaType: mediaType, digest: digest, size: data.count)
    }
}

extension ModelName {
    /// `host/namespace/model:tag`, the form that identifies a model for the scheduler.
    public var fullName: String { "\(host)/\(namespace)/\(model):\(tag)" }
}
