import Foundation
import Testing
@testable import GGUF

@Suite struct GGUFCorruptionTests {
    private func expectError(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation,
                             _ matches: (GGUFError) -> Bool) throws {
        let path = try temporaryFile(bytes)
        do {
            _ = try GGUFFile(path: path)
            Issue.record("expected an error", sourceLocation: sourceLocation)
        } catch let error as GGUFError {
            #expect(matches(error), "unexpected error: \(error)", sourceLocation: sourceLocation)
            #expect(!error.description.isEmpty)
        }
    }

    @Test func everyTruncationThrows() throws {
        let bytes = sampleWriter().encoded()
        let whole = try GGUFFile(path: temporaryFile(bytes))
        // Only the padding after the last tensor may be cut without losing anything.
        let end = whole.dataOffset + whole.tensors.map { $0.offset + $0.byteCount }.max()!
        // Cut at every header byte and at a sample of data offsets: each prefix must throw.
        var cuts = Array(0 ..< 700)
        cuts += stride(from: 700, to: end, by: 7)
        cuts.append(end - 1)
        for cut in cuts where cut < end {
            let prefix = Array(bytes[..<cut])
            let path = try temporaryFile(prefix)
            #expect(throws: GGUFError.self, "prefix of \(cut) bytes") { try GGUFFile(path: path) }
        }
    }

    @Test func wrongMagicIsNotGGUF() throws {
        var bytes = sampleWriter().encoded()
        bytes[0] = UInt8(ascii: "X")
        try expectError(bytes) { if case .notGGUF = $0 { return true }; return false }
        try expectError(Array("not a model at all".utf8)) { if case .notGGUF = $0 { return true }; return false }
        try expectError([]) { if case .notGGUF = $0 { return true }; return false }
    }

    @Test func unsupportedVersions() throws {
        for version: UInt32 in [1, 4, 0xFFFF_FFFF] {
            var bytes = sampleWriter().encoded()
            bytes.replaceSubrange(4 ..< 8, with: withUnsafeBytes(of: version.littleEndian, Array.init))
            try expectError(bytes) { $0 == .unsupportedVersion(version) }
        }
    }

    @Test func absurdCountsAreRejectedBeforeAllocating() throws {
        var bytes = sampleWriter().encoded()
        bytes.replaceSubrange(8 ..< 16, with: withUnsafeBytes(of: UInt64.max.littleEndian, Array.init))
        try expectError(bytes) { if case .implausibleCount(what: "tensor count", _) = $0 { return true }; return false }

        bytes = sampleWriter().encoded()
        bytes.replaceSubrange(16 ..< 24, with: withUnsafeBytes(of: (UInt64(1) << 60).littleEndian, Array.init))
        try expectError(bytes) { if case .implausibleCount(what: "metadata count", _) = $0 { return true }; return false }
    }

    @Test func absurdStringAndArrayLengths() throws {
        var writer = GGUFWriter()
        writer.add("k", .string("abc"))
        var bytes = writer.encoded()
        // The value's length prefix sits after magic, version, counts (24), key (8 + 1) and type (4).
        bytes.replaceSubrange(37 ..< 45, with: withUnsafeBytes(of: (UInt64(1) << 62).littleEndian, Array.init))
        try expectError(bytes) { if case .truncated = $0 { return true }; return false }

        writer = GGUFWriter()
        writer.add("k", .array([.uint32(1), .uint32(2)]))
        bytes = writer.encoded()
        // The array count follows the element type (4 bytes) after the value type.
        bytes.replaceSubrange(41 ..< 49, with: withUnsafeBytes(of: (UInt64(1) << 61).littleEndian, Array.init))
        try expectError(bytes) { if case .implausibleCount = $0 { return true }; return false }
    }

    @Test func unknownValueType() throws {
        var writer = GGUFWriter()
        writer.add("k", .uint32(1))
        var bytes = writer.encoded()
        bytes.replaceSubrange(33 ..< 37, with: withUnsafeBytes(of: UInt32(99).littleEndian, Array.init))
        try expectError(bytes) { $0 == .unknownValueType(key: "k", code: 99) }
    }

    @Test func deeplyNestedArraysAreRejected() throws {
        var value = GGUFValue.uint8(1)
        for _ in 0 ..< 20 { value = .array([value]) }
        var writer = GGUFWriter()
        writer.add("deep", value)
        try expectError(writer.encoded()) { $0 == .nestingTooDeep(key: "deep") }
    }

    @Test func unknownTensorTypeIsNamed() throws {
        var writer = GGUFWriter()
        writer.add(tensor: GGUFWriter.Tensor(name: "odd", dimensions: [32], type: .q8_0, data: Array(repeating: 0, count: 34)))
        var bytes = writer.encoded()
        // Tensor info: name (8 + 3), n_dims (4), one dim (8), then the type.
        let typeOffset = 24 + 8 + 3 + 4 + 8
        bytes.replaceSubrange(typeOffset ..< typeOffset + 4, with: withUnsafeBytes(of: UInt32(77).littleEndian, Array.init))
        try expectError(bytes) { $0 == .unknownTensorType(tensor: "odd", code: 77) }
    }

    @Test func tensorPastTheEndOfTheFile() throws {
        var writer = GGUFWriter()
        writer.add(tensor: "w", dimensions: [8], floats: Array(repeating: 1, count: 8))
        var bytes = writer.encoded()
        bytes.removeLast(16)
        try expectError(bytes) { $0 == .tensorOutOfBounds(tensor: "w") }
    }

    @Test func badShapes() throws {
        var writer = GGUFWriter()
        writer.add(tensor: GGUFWriter.Tensor(name: "partial-block", dimensions: [30], type: .q4_1, data: Array(repeating: 0, count: 20)))
        try expectError(writer.encoded()) { if case .invalidTensorShape(tensor: "partial-block", _) = $0 { return true }; return false }

        writer = GGUFWriter()
        writer.add(tensor: GGUFWriter.Tensor(name: "five-d", dimensions: [1, 1, 1, 1, 1], type: .f32, data: [0, 0, 0, 0]))
        try expectError(writer.encoded()) { if case .invalidTensorShape(tensor: "five-d", _) = $0 { return true }; return false }

        writer = GGUFWriter()
        writer.add(tensor: GGUFWriter.Tensor(name: "huge", dimensions: [1 << 30, 1 << 30, 1 << 30], type: .f32, data: []))
        try expectError(writer.encoded()) { if case .invalidTensorShape(tensor: "huge", _) = $0 { return true }; return false }
    }

    @Test func duplicateTensorNames() throws {
        var writer = GGUFWriter()
        writer.add(tensor: "w", dimensions: [4], floats: [1, 2, 3, 4])
        writer.add(tensor: "w", dimensions: [4], floats: [1, 2, 3, 4])
        try expectError(writer.encoded()) { $0 == .duplicateTensor("w") }
    }

    @Test func invalidAlignment() throws {
        var writer = GGUFWriter()
        writer.add("general.alignment", .uint32(24))
        try expectError(writer.encoded()) { $0 == .invalidAlignment(24) }
    }

    @Test func missingFileAndDirectoryHaveClearErrors() throws {
        #expect(throws: GGUFError.self) { try GGUFFile(path: "/nonexistent/model.gguf") }
        do {
            _ = try GGUFFile(path: FileManager.default.temporaryDirectory.path)
        } catch let error as GGUFError {
            #expect(error.description.contains("not a regular file"))
        }
    }
}
