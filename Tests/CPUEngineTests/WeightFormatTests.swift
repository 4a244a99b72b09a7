import Foundation
import GGUF
import Testing
@testable import CPUEngine

/// How the engine treats the weight formats a model file mixes: every K-quant matrix of the
/// K-quant fixture through its kernel, and a clear load error for a format it has no kernel for.
@Suite struct WeightFormatTests {
    private static func fixture(_ name: String) throws -> GGUFFile {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/architectures/\(name)", withExtension: "gguf"))
        return try GGUFFile(path: url.path)
    }

    @Test func kQuantMatricesOfAModelMatchTheirDequantizedRows() throws {
        let file = try Self.fixture("qwen3-kquants")
        var random = SeededRandom(seed: 5)
        var checked = Set<GGMLType>()
        for info in file.tensors where info.dimensions.count == 2 && info.type.blockSize == 256 {
            let columns = info.dimensions[0], rows = min(info.dimensions[1], 24), tokens = 3
            let weight = try WeightMatrix(file, name: info.name, columns: columns, rows: info.dimensions[1])
            let x = random.floats(tokens * columns, in: -2...2)
            let input = MatmulInput(capacity: tokens * columns)
            var out = [Float](repeating: .nan, count: tokens * rows)
            x.withUnsafeBufferPointer { input.set($0.baseAddress!, tokens: tokens, columns: columns) }
            input.quantizeSuperBlocks()
            out.withUnsafeMutableBufferPointer {
                multiplyRows(weight, input, rows: 0..<rows, into: $0.baseAddress!, outStride: rows)
            }
            var w = [Float](repeating: 0, count: columns)
            for r in 0..<rows {
                w.withUnsafeMutableBufferPointer { weight.dequantizeRow(r, into: $0.baseAddress!) }
                for t in 0..<tokens {
                    var sum = 0.0, magnitude = 0.0
                    for i in 0..<columns {
                        let j = t * columns + i
                        let a = Double(input.superBlockQuants[j]) * Double(input.superBlockScales[j / 256])
                        sum += Double(w[i]) * a
                        magnitude += abs(Double(w[i]) * a)
                    }
                    #expect(abs(Double(out[t * rows + r]) - sum) <= 1e-5 * magnitude + 1e-6, "\(info.name) row \(r)")
                }
            }
            checked.insert(info.type)
        }
        #expect(checked == [.q4_K, .q5_K, .q6_K])
    }

    @Test func aFormatWithoutKernelFailsAtLoadNamingTensorAndType() throws {
        // the qwen2 fixture with one FFN matrix re-typed as IQ4_NL (18 bytes per 32 weights)
        let source = try Self.fixture("qwen2")
        var writer = GGUFWriter()
        for key in source.metadataKeys { writer.add(key, source.metadata[key]!) }
        for info in source.tensors {
            if info.name == "blk.1.ffn_down.weight" {
                let data = [UInt8](repeating: 0, count: info.elementCount / 32 * 18)
                writer.add(tensor: .init(name: info.name, dimensions: info.dimensions, type: .iq4_nl, data: data))
            } else {
                writer.add(tensor: .init(name: info.name, dimensions: info.dimensions, type: info.type,
                                         data: Array(source.bytes(of: info))))
            }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("iq4_nl-\(UUID()).gguf").path
        try Data(writer.encoded()).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        let error = CPUEngineError.unsupportedTensorType(tensor: "blk.1.ffn_down.weight", type: "IQ4_NL")
        #expect(throws: error) { try CPUEngine(file: GGUFFile(path: path), contextLength: 32, threads: 1) }
        #expect(error.description.contains("`blk.1.ffn_down.weight` is stored as IQ4_NL"))
    }

    @Test func anUnknownArchitectureIsRejectedNamingTheSupportedOnes() {
        let error = CPUEngineError.unsupportedArchitecture("gemma3")
        #expect(error.description.contains("`llama`, `qwen2`, `qwen3`") && error.description.contains("`gemma3`"))
    }
}
