import Foundation
import Testing
@testable import GGUF
import TestSupport

/// Writes `bytes` to a fresh temporary file and returns its path.
func temporaryFile(_ bytes: [UInt8], name: String = "model.gguf") throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

/// A small but complete file: every metadata type, nested arrays, and three tensors.
func sampleWriter(version: UInt32 = 3) -> GGUFWriter {
    var writer = GGUFWriter(version: version)
    writer.add("general.architecture", .string("llama"))
    writer.add("u8", .uint8(200))
    writer.add("i8", .int8(-5))
    writer.add("u16", .uint16(65000))
    writer.add("i16", .int16(-30000))
    writer.add("u32", .uint32(4_000_000_000))
    writer.add("i32", .int32(-2_000_000_000))
    writer.add("u64", .uint64(1 << 40))
    writer.add("i64", .int64(-(1 << 40)))
    writer.add("f32", .float32(0.5))
    writer.add("f64", .float64(-2.25))
    writer.add("flag", .bool(true))
    writer.add("unicode", .string("héllo 世界 🙂"))
    writer.add("tokens", .array([.string("a"), .string("b c"), .string("")]))
    writer.add("nested", .array([.array([.int32(1), .int32(2)]), .array([.int32(3)])]))
    writer.add("empty", .array([]))
    writer.add(tensor: "weights", dimensions: [4, 2], floats: [1, 2, 3, 4, 5, 6, 7, 8])
    writer.add(tensor: GGUFWriter.Tensor(name: "q8", dimensions: [32, 1], type: .q8_0, data: Array(repeating: 7, count: 34)))
    writer.add(tensor: GGUFWriter.Tensor(name: "q41", dimensions: [64, 3], type: .q4_1, data: Array(repeating: 1, count: 120)))
    return writer
}

@Suite struct GGUFReaderTests {
    @Test(arguments: [UInt32(2), 3])
    func readsEveryMetadataTypeAndNestedArrays(version: UInt32) throws {
        let file = try GGUFFile(path: temporaryFile(sampleWriter(version: version).encoded()))
        #expect(file.version == version)
        #expect(file.architecture == "llama")
        #expect(file.metadata["u8"] == .uint8(200))
        #expect(file.metadata["i8"] == .int8(-5))
        #expect(file.metadata["u16"] == .uint16(65000))
        #expect(file.metadata["i16"] == .int16(-30000))
        #expect(file.metadata["u32"] == .uint32(4_000_000_000))
        #expect(file.int("i32") == -2_000_000_000)
        #expect(file.int("u64") == 1 << 40)
        #expect(file.int("i64") == -(1 << 40))
        #expect(file.float("f32") == 0.5)
        #expect(file.metadata["f64"] == .float64(-2.25))
        #expect(file.bool("flag") == true)
        #expect(file.string("unicode") == "héllo 世界 🙂")
        #expect(file.strings("tokens") == ["a", "b c", ""])
        #expect(file.metadata["nested"] == .array([.array([.int32(1), .int32(2)]), .array([.int32(3)])]))
        #expect(file.metadata["empty"] == .array([]))
        #expect(file.metadataKeys.first == "general.architecture")
        #expect(file.metadataKeys.count == 16)
    }

    @Test func indexesTensorsWithOffsetsAndAlignment() throws {
        let file = try GGUFFile(path: temporaryFile(sampleWriter().encoded()))
        #expect(file.tensors.map(\.name) == ["weights", "q8", "q41"])
        #expect(file.dataOffset % file.alignment == 0)
        let weights = try #require(file.tensor(named: "weights"))
        #expect(weights.dimensions == [4, 2])
        #expect(weights.rowCount == 2)
        #expect(weights.byteCount == 32)
        let floats = file.bytes(of: weights).withMemoryRebound(to: Float.self) { Array($0) }
        #expect(floats == [1, 2, 3, 4, 5, 6, 7, 8])
        let q8 = try #require(file.tensor(named: "q8"))
        #expect(q8.type == .q8_0 && q8.byteCount == 34 && q8.offset % 32 == 0)
        #expect(file.bytes(of: q8).allSatisfy { $0 == 7 })
        let q41 = try #require(file.tensor(named: "q41"))
        #expect(q41.type == .q4_1 && q41.byteCount == 120 && q41.bytesPerRow == 40)
        #expect(file.tensor(named: "missing") == nil)
    }

    @Test func honoursCustomAlignment() throws {
        var writer = sampleWriter()
        writer.alignment = 64
        writer.add("general.alignment", .uint32(64))
        let file = try GGUFFile(path: temporaryFile(writer.encoded()))
        #expect(file.alignment == 64)
        #expect(file.dataOffset % 64 == 0)
        #expect(file.tensors.allSatisfy { $0.offset % 64 == 0 })
        let weights = try #require(file.tensor(named: "weights"))
        #expect(file.bytes(of: weights).load(fromByteOffset: 4, as: Float.self) == 2)
    }

    @Test func typeTableMatchesGGML() {
        #expect(GGMLType.q4_1.blockSize == 32 && GGMLType.q4_1.bytesPerBlock == 20)
        #expect(GGMLType.q8_0.bytesPerBlock == 34 && GGMLType.q4_0.bytesPerBlock == 18)
        #expect(GGMLType.q4_K.blockSize == 256 && GGMLType.q4_K.bytesPerBlock == 144)
        #expect(GGMLType.q6_K.bytesPerBlock == 210 && GGMLType.bf16.bytesPerBlock == 2)
        #expect(GGMLType.q4_K.name == "Q4_K" && GGMLType.bf16.name == "BF16" && GGMLType.q8_0.name == "Q8_0")
    }

    @Test(.enabled(if: TestModels.hasDefaultModel, "the default model is not in the store"))
    func readsTheDefaultModel() throws {
        let url = try #require(TestModels.defaultModelURL())
        let file = try GGUFFile(path: url.path)
        #expect(file.architecture == "llama")
        #expect(file.strings("tokenizer.ggml.tokens")?.count == 49152)
        #expect(file.int("llama.block_count") == 30)
        #expect(file.int("llama.embedding_length") == 576)
        #expect(file.string("tokenizer.ggml.model") == "gpt2")
        #expect(file.tensors.count == 272)
        // Tensor data is laid out without gaps up to the end of the file, modulo padding.
        let end = file.tensors.map { $0.offset + $0.byteCount }.max() ?? 0
        #expect(file.dataOffset + end <= file.fileSize)
        #expect(file.fileSize - (file.dataOffset + end) < file.alignment)
        let embedding = try #require(file.tensor(named: "token_embd.weight"))
        #expect(embedding.type == .q8_0)
        #expect(embedding.dimensions == [576, 49152])
    }
}
