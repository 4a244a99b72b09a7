import Foundation
import GGUF
import ModelConversion
import NPUEngine
import Testing

/// The CPU engine's architecture fixtures (Tests/CPUEngineTests/Fixtures/architectures) converted
/// into NPU packages: the converter reads qwen2's biases, qwen3's QK-norm weights and K-quant
/// matrices through the CPU engine's dequantizer.
@Suite struct ArchitectureConversionTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("CPUEngineTests/Fixtures/architectures")

    @Test(arguments: [("qwen2", ["attn_q.bias", "attn_k.bias", "attn_v.bias"]),
                      ("qwen3", ["attn_q_norm.weight", "attn_k_norm.weight"]),
                      ("qwen3-kquants", ["attn_q_norm.weight", "attn_k_norm.weight"])])
    func fixtureConvertsWithItsFamilyTensors(name: String, familyTensors: [String]) throws {
        let file = try GGUFFile(path: Self.fixtures.appendingPathComponent("\(name).gguf").path)
        let directory = try TemporaryDirectory()
        let options = NPUPackageConverter.Options(layout: .configJSON, contextLength: 256, chunk: 128, historyStep: 128)
        let converter = try NPUPackageConverter(file: file, options: options)
        let package = try converter.write(to: directory.file(name))
        #expect(package.layerFiles.count == 2)
        #expect(package.manifest.vocabularySize == 300)
        let hidden = converter.source.hidden
        let embeddingBytes = try FileManager.default.attributesOfItem(atPath: package.embeddingFile.path)[.size] as? Int
        #expect(embeddingBytes == 300 * hidden * 2)
        let layer = try Data(contentsOf: package.layerFiles[0])
        for tensor in familyTensors {
            #expect(layer.range(of: Data(tensor.utf8)) != nil, "\(name) layer 0 lacks \(tensor)")
        }
    }
}
