import AXCLSimulatorSupport
import CPUEngine
import Foundation
import GGUF
import ModelConversion
import NPUEngine
import SimulatedAXModel
import Testing

/// The package's embedding table: the vendor's bf16 rows, or fp32 rows (`axllama convert
/// --embeddings fp32`), told apart by the file's size alone (axera.md §3.2).
@Suite struct EmbeddingTables {
    /// The GGUF's token embeddings as the CPU engine dequantizes them, row after row.
    static func ggufRows(in directory: TemporaryDirectory) throws -> [Float] {
        let file = try GGUFFile(path: directory.file("tiny.gguf").path)
        let info = try #require(file.tensor(named: "token_embd.weight"))
        return try #require(TensorDequantization.floats(of: info, in: file))
    }

    static func rows(of table: EmbeddingTable, as type: FloatIOType) -> [UInt8] {
        let width = table.hiddenSize * type.byteWidth
        var bytes = [UInt8](repeating: 0, count: table.vocabularySize * width)
        bytes.withUnsafeMutableBytes { buffer in
            for token in 0 ..< table.vocabularySize {
                table.writeRow(Int32(token), as: type, to: buffer.baseAddress! + token * width)
            }
        }
        return bytes
    }

    static func table(_ package: NPUModelPackage) throws -> EmbeddingTable {
        try EmbeddingTable(url: package.embeddingFile, vocabularySize: package.manifest.vocabularySize, hiddenSize: package.manifest.hiddenSize)
    }

    @Test(arguments: NPUPackageLayout.allCases)
    func theVendorsTableIsReadAsBF16(layout: NPUPackageLayout) throws {
        let directory = try TemporaryDirectory()
        let package = try TinyModel.package(layout, in: directory)
        #expect(package.embeddingFile.lastPathComponent == "model.embed_tokens.weight.bfloat16.bin")
        let table = try Self.table(package)
        #expect(table.elementType == .bf16 && table.rowBytes == TinyModel.hidden * 2)
    }

    /// An fp32 table holds the CPU engine's rows bit for bit, and a layer taking fp32 input gets
    /// them unrounded.
    @Test(arguments: NPUPackageLayout.allCases)
    func anFP32TableIsReadBySizeAndEmbedsWithoutRounding(layout: NPUPackageLayout) throws {
        let directory = try TemporaryDirectory()
        let package = try TinyModel.package(layout, in: directory, embeddings: .fp32)
        let bytes = try FileManager.default.attributesOfItem(atPath: package.embeddingFile.path)[.size] as? Int
        #expect(bytes == TinyModel.vocabulary * TinyModel.hidden * 4)
        let table = try Self.table(package)
        #expect(table.elementType == .fp32 && table.rowBytes == TinyModel.hidden * 4)
        let expected = try Self.ggufRows(in: directory)
        let written = Self.rows(of: table, as: .fp32).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(written.map(\.bitPattern) == expected.map(\.bitPattern))
        // Nothing else in the package changes: the manifest names the file, in the vendor's keys.
        let vendor = try TinyModel.package(layout, in: directory)
        #expect(package.manifest.embeddings.hasSuffix("model.embed_tokens.weight.float32.bin"))
        var renamed = package.manifest
        renamed.embeddings = vendor.manifest.embeddings
        #expect(renamed == vendor.manifest)
    }

    /// Layers that take bf16 read the same rows from either table: the fp32 one is rounded to
    /// nearest as the converter rounds the bf16 one, and a bf16 row widens to fp32 exactly.
    @Test func bothTablesGiveLayersOfEveryTypeTheSameBF16Rows() throws {
        let directory = try TemporaryDirectory()
        let bf16 = try Self.table(TinyModel.package(.configJSON, in: directory))
        let fp32 = try Self.table(TinyModel.package(.configJSON, in: directory, embeddings: .fp32))
        #expect(Self.rows(of: fp32, as: .bf16) == Self.rows(of: bf16, as: .bf16))
        let widened = Self.rows(of: bf16, as: .fp32).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let rounded = try Self.ggufRows(in: directory).map(\.bf16Rounded)
        #expect(widened.map(\.bitPattern) == rounded.map(\.bitPattern))
        let fp16 = Self.rows(of: fp32, as: .fp16).withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }
        #expect(fp16 == (try Self.ggufRows(in: directory)).map { Float16($0).bitPattern })
    }

    @Test func aTableOfNeitherSizeNamesBothSizesItCouldHave() throws {
        let directory = try TemporaryDirectory()
        let package = try TinyModel.package(.runScript, in: directory)
        let file = try FileHandle(forWritingTo: package.embeddingFile)
        try file.truncate(atOffset: UInt64(TinyModel.vocabulary * TinyModel.hidden * 3))
        try file.close()
        do {
            _ = try Self.table(package)
            Issue.record("a table of 3 bytes per value was accepted")
        } catch let error as NPUEngineError {
            #expect(error == .embeddingSizeMismatch(path: package.embeddingFile.path, bytes: TinyModel.vocabulary * TinyModel.hidden * 3,
                                                    vocabulary: TinyModel.vocabulary, hidden: TinyModel.hidden))
            let description = "\(error)"
            #expect(description.contains("need \(TinyModel.vocabulary * TinyModel.hidden * 2) as bf16"), "\(description)")
            #expect(description.contains("or \(TinyModel.vocabulary * TinyModel.hidden * 4) as fp32"), "\(description)")
        }
    }

    @Test func theConverterWritesNoFP16Table() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: ConversionError.invalidOptions("the embedding table is bf16 or fp32, not fp16")) {
            try TinyModel.package(.configJSON, in: directory, embeddings: .fp16)
        }
    }
}

extension SimulatorBackedTests {
    /// The engine embeds from either table: from an fp32 one into fp32 layers without rounding.
    @Suite(.enabled(if: Simulator.isAvailable)) struct FullPrecisionEmbeddings {
        /// The tiny model's embeddings are arbitrary f32 values, which a bf16 table rounds: with an
        /// fp32 table and fp32 IO only summation order separates the NPU path from the CPU engine
        /// as it serves (the CPU kernels group tokens differently from the card's chunks).
        @Test(arguments: NPUPackageLayout.allCases)
        func anFP32TableWithFP32IOComputesWhatTheCPUEngineComputes(layout: NPUPackageLayout) async throws {
            let directory = try TemporaryDirectory()
            let full = try TinyModel.package(layout, in: directory, activations: .fp32, logits: .fp32, embeddings: .fp32)
            let vendorTable = try TinyModel.package(layout, in: directory, activations: .fp32, logits: .fp32)
            let reference = try await TinyModel.cpuReference(GGUFFile(path: directory.file("tiny.gguf").path))
            let card = try await SimulatedCard.open()
            let exact = largestDeviation(try await TinyModel.logits(of: full, on: card, fed: reference.fed), reference.logits)
            let rounded = largestDeviation(try await TinyModel.logits(of: vendorTable, on: card, fed: reference.fed), reference.logits)
            print("largest logit deviation from the CPU engine (f32), fp32 IO, \(layout.rawValue): fp32 table \(exact), bf16 table \(rounded)")
            #expect(exact < 1e-4 && exact * 100 < rounded)
        }

        /// bf16 layers get the same rows from both tables, so they compute the same logits bit for bit.
        @Test func anFP32TableWithBF16IOComputesWhatTheVendorsTableComputes() async throws {
            let directory = try TemporaryDirectory()
            let full = try TinyModel.package(.configJSON, in: directory, embeddings: .fp32)
            let vendor = try TinyModel.package(.configJSON, in: directory)
            let fed = [TinyModel.prompt(140, seed: 23), [5], [7]]
            let card = try await SimulatedCard.open()
            let a = try await TinyModel.logits(of: full, on: card, fed: fed), b = try await TinyModel.logits(of: vendor, on: card, fed: fed)
            #expect(a.count == b.count && zip(a, b).allSatisfy { differences($0, $1) == 0 })
        }
    }
}
