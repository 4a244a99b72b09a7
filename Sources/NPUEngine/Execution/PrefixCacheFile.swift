import EngineInterface
import Foundation
import Runtime

/// The K/V rows of a cached prompt prefix, persisted so that an installation's system prompt is
/// not computed again after a boot or a recovery (the role of ax-llm's `--kvcache_path`,
/// axera.md §3.3). One file per package, named by the package's identity and the prefix's token
/// hash; writing a new prefix replaces the old one.
///
/// Layout (little-endian): magic `AXPC`, version, layer count, K/V width, token count, the token
/// ids (Int32), then for each layer its key rows and its value rows (bf16).
struct PrefixCacheFile: Equatable {
    var tokens: [TokenID]
    var kvWidth: Int
    /// Per layer, `tokens.count × kvWidth` bf16 values each.
    var keys: [[UInt16]]
    var values: [[UInt16]]

    static let magic: [UInt8] = Array("AXPC".utf8)
    static let version: UInt32 = 1

    /// Files of one package share this prefix of their name. The identity covers what decides
    /// the rows: the package's place, its layer files' sizes and modification times.
    static func packageKey(_ package: NPUModelPackage) -> String {
        var text = package.directory.standardizedFileURL.path + "|" + package.manifest.modelName
        for url in package.layerFiles + [package.postModelFile] {
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            text += "|\(url.lastPathComponent):\(size):\(modified)"
        }
        return String(SHA256Digest.hex(of: Array(text.utf8)).prefix(16))
    }

    static func tokenHash(_ tokens: [TokenID]) -> String {
        let bytes = tokens.withUnsafeBytes { Array($0) }
        return String(SHA256Digest.hex(of: bytes).prefix(16))
    }

    func write(in directory: URL, packageKey: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var data = Data(Self.magic)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        append(Self.version)
        append(UInt32(keys.count))
        append(UInt32(kvWidth))
        append(UInt32(tokens.count))
        for token in tokens { append(token) }
        for layer in keys.indices {
            for value in keys[layer] { append(value) }
            for value in values[layer] { append(value) }
        }
        let name = "\(packageKey)-\(Self.tokenHash(tokens)).kv"
        try data.write(to: directory.appendingPathComponent(name), options: .atomic)
        for old in Self.files(in: directory, packageKey: packageKey) where old.lastPathComponent != name {
            try? FileManager.default.removeItem(at: old)
        }
    }

    static func files(in directory: URL, packageKey: String) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix(packageKey + "-") && $0.hasSuffix(".kv") }.map { directory.appendingPathComponent($0) }
    }

    /// The package's persisted prefix, if there is one that matches the model's shape; a file
    /// that does not parse or match is ignored (it is only an optimisation).
    static func read(in directory: URL, packageKey: String, layers: Int, kvWidth: Int, capacity: Int) -> PrefixCacheFile? {
        for url in files(in: directory, packageKey: packageKey) {
            guard let data = try? Data(contentsOf: url, options: .mappedIfSafe),
                  let file = parse(data, layers: layers, kvWidth: kvWidth, capacity: capacity),
                  url.lastPathComponent == "\(packageKey)-\(tokenHash(file.tokens)).kv"
            else { continue }
            return file
        }
        return nil
    }

    static func parse(_ data: Data, layers: Int, kvWidth: Int, capacity: Int) -> PrefixCacheFile? {
        var offset = 0
        func read<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard offset + MemoryLayout<T>.size <= data.count else { return nil }
            defer { offset += MemoryLayout<T>.size }
            return data.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        }
        guard data.prefix(4).elementsEqual(magic) else { return nil }
        offset = 4
        guard read(UInt32.self) == version, read(UInt32.self) == UInt32(layers), read(UInt32.self) == UInt32(kvWidth),
              let count = read(UInt32.self).map(Int.init), count > 0, count < capacity,
              data.count == 4 + 16 + count * 4 + layers * 2 * count * kvWidth * 2
        else { return nil }
        var tokens: [TokenID] = []
        for _ in 0 ..< count { tokens.append(read(Int32.self)!) }
        var keys: [[UInt16]] = [], values: [[UInt16]] = []
        let rowValues = count * kvWidth
        for _ in 0 ..< layers {
            keys.append((0 ..< rowValues).map { _ in read(UInt16.self)! })
            values.append((0 ..< rowValues).map { _ in read(UInt16.self)! })
        }
        return PrefixCacheFile(tokens: tokens, kvWidth: kvWidth, keys: keys, values: values)
    }
}
