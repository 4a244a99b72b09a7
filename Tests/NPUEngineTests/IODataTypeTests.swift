import AXCL
import AXCLSimulatorSupport
import CPUEngine
import EngineInterface
import Foundation
import GGUF
import ModelConversion
import NPUEngine
import Testing

extension SimulatorBackedTests {
    /// The engine takes each tensor's data type from the engine's IO info (axera.md §1.7) and
    /// converts what it writes and reads accordingly: vendor packages are bf16 throughout, but a
    /// package may declare fp16 or fp32 for the layers' IO and for the logits.
    @Suite(.enabled(if: Simulator.isAvailable)) struct IODataTypes {
        static let combinations: [(activations: FloatIOType, logits: FloatIOType)] = [
            (.bf16, .bf16), (.bf16, .fp32), (.fp16, .fp16), (.fp32, .bf16), (.fp32, .fp32),
        ]

        @Test(arguments: combinations)
        func theSimulatorReportsEveryTensorsDeclaredDataType(activations: FloatIOType, logits: FloatIOType) async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory, activations: activations, logits: logits)
            let card = try await SimulatedCard.open()
            let engine = try await NPUEngine.load(package, on: card.device)
            let tables = try await engine.ioTables()
            for group in tables.dropLast().joined() {
                for tensor in group.inputs + group.outputs {
                    #expect(tensor.dataType == (tensor.name == "indices" ? .uint32 : activations.dataType), "\(tensor.name)")
                    let width = tensor.name == "indices" ? 4 : activations.byteWidth
                    #expect(tensor.byteCount == tensor.dimensions.reduce(1, *) * width, "\(tensor.name) size")
                }
            }
            let post = try #require(tables.last?.first)
            #expect(post.input(named: "input")?.dataType == activations.dataType)
            #expect(post.output(named: "output")?.dataType == logits.dataType)
            #expect(engine.shapes.activationType == activations && engine.shapes.maskType == activations && engine.shapes.cacheType == activations)
            try await engine.unload()
        }

        /// Chunked prefill and token-by-token decode leave the same rows in caches of any type.
        @Test(arguments: [FloatIOType.fp16, .fp32])
        func chunkedPrefillEqualsTokenByTokenInEveryActivationType(type: FloatIOType) async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory, activations: type, logits: type)
            let card = try await SimulatedCard.open()
            let chunked = try await NPUEngine.load(package, on: card.device, options: NPUEngineOptions(prefillMode: .chunked))
            let single = try await NPUEngine.load(package, on: card.device, options: NPUEngineOptions(prefillMode: .tokenByToken))
            let prompt = TinyModel.prompt(200, seed: 11)
            let a = try await chunked.forward(prompt, at: 0)
            let b = try await single.forward(prompt, at: 0)
            #expect(differences(a.values, b.values) == 0, "logits differ")
            for layer in 0 ..< TinyModel.layers {
                let rowsA = try await chunked.cacheRows(layer: layer, range: 0 ..< prompt.count)
                let rowsB = try await single.cacheRows(layer: layer, range: 0 ..< prompt.count)
                #expect(rowsA.keys.count == prompt.count * chunked.shapes.kvWidth * type.byteWidth / 2)
                #expect(differences(rowsA.keys, rowsB.keys) == 0, "layer \(layer) keys")
                #expect(differences(rowsA.values, rowsB.values) == 0, "layer \(layer) values")
            }
            try await chunked.unload()
            try await single.unload()
        }

        /// With fp32 IO nothing is rounded between the layers: when the embeddings are bf16 values
        /// (the package's embedding file then holds them exactly), the NPU path computes what the
        /// CPU engine computes as it serves, f32 throughout, up to summation order; bf16 and fp16 IO
        /// move the logits by orders of magnitude more.
        @Test func fp32IOComputesWhatTheCPUEngineComputes() async throws {
            let directory = try TemporaryDirectory()
            let ggufURL = directory.file("tiny-bf16-embeddings.gguf")
            try Data(TinyModel.gguf(bf16Embeddings: true)).write(to: ggufURL)
            let file = try GGUFFile(path: ggufURL.path)
            let reference = try await TinyModel.cpuReference(file)
            var deviations: [FloatIOType: Float] = [:]
            let card = try await SimulatedCard.open()
            for type in [FloatIOType.bf16, .fp16, .fp32] {
                let options = NPUPackageConverter.Options(layout: .configJSON, contextLength: TinyModel.contextLength, chunk: TinyModel.chunk,
                                                          historyStep: TinyModel.historyStep, activations: type, logits: .fp32)
                let package = try NPUPackageConverter(file: file, options: options).write(to: directory.file("tiny-\(type.rawValue)"))
                deviations[type] = largestDeviation(try await TinyModel.logits(of: package, on: card, fed: reference.fed), reference.logits)
            }
            print("largest logit deviation from the CPU engine (f32), fp32 logits: "
                + [FloatIOType.bf16, .fp16, .fp32].map { "\($0.rawValue) IO \(deviations[$0]!)" }.joined(separator: ", "))
            // Only summation order can still differ (the CPU kernels group tokens differently from
            // the card's chunks): far below what any rounding between the layers costs.
            #expect(deviations[.fp32]! < 1e-4 && deviations[.fp32]! * 100 < deviations[.fp16]!)
            #expect(deviations[.fp16]! > 0 && deviations[.bf16]! > deviations[.fp16]!)
        }

        /// The post model reads the last layer's output buffer as it is: a post model compiled for
        /// another activation type is refused at load, with the reason.
        @Test func aPostModelWhoseInputIsNotTheLayersOutputTypeIsRefused() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            let wide = try TinyModel.package(.configJSON, in: directory, activations: .fp32, logits: .fp32)
            try FileManager.default.removeItem(at: package.postModelFile)
            try FileManager.default.copyItem(at: wide.postModelFile, to: package.postModelFile)
            let card = try await SimulatedCard.open()
            do {
                _ = try await NPUEngine.load(package, on: card.device)
                Issue.record("the load succeeded")
            } catch let error as NPUEngineError {
                #expect("\(error)".contains("is not one bf16 row of \(TinyModel.hidden) values"), "\(error)")
            }
            #expect(card.control.stats.models == 0, "the failed load left models on the card")
        }

        @Test func onlyFloatTypesAreConverted() {
            let convertible = (0 ... 16).compactMap { EngineDataType(rawValue: $0) }.filter { FloatIOType($0) != nil }
            #expect(convertible == [.fp16, .bf16, .fp32])
        }

        @Test(arguments: FloatIOType.allCases)
        func aMaskedPositionIsAtLeastAsNegativeAsTheVendorsMaskInEveryType(type: FloatIOType) {
            let bits = type.maskedBits
            let value: Float = switch type {
            case .bf16: Float(bitPattern: bits << 16)
            case .fp16: Float(Float16(bitPattern: UInt16(bits)))
            case .fp32: Float(bitPattern: bits)
            }
            #expect(value.isFinite && value <= -65504)
        }
    }
}
