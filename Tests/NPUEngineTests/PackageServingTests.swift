import AXCL
import AXCLSimulatorSupport
import EngineInterface
import Foundation
import NPUEngine
import Runtime
import Testing

/// What the server learns from a package before loading it, and loading it through the engine
/// factory the server registers.
@Suite struct PackageSummaryReading {
    @Test(arguments: NPUPackageLayout.allCases)
    func summaryDescribesThePackageWithoutACard(layout: NPUPackageLayout) throws {
        let directory = try TemporaryDirectory()
        let package = try TinyModel.package(layout, in: directory)
        let summary = try NPUPackageReader().summary(of: package.directory)
        #expect(summary.format == "axmodel" && summary.family == "llama")
        #expect(summary.layerCount == TinyModel.layers && summary.embeddingLength == TinyModel.hidden)
        #expect(summary.vocabularySize == TinyModel.vocabulary)
        // The converter ships the vendor's post_config.json: temperature 0.9 and top-k 10 on.
        #expect(summary.defaultParameters == ["temperature": .number(0.9), "top_k": .integer(10)])
    }

    @Test func packageWithoutTokenizerIsRefusedNamingIt() throws {
        let directory = try TemporaryDirectory()
        let package = try TinyModel.package(.configJSON, in: directory)
        try FileManager.default.removeItem(at: try #require(package.tokenizerDirectory).appendingPathComponent("tokenizer.json"))
        #expect { try NPUPackageReader().summary(of: package.directory) } throws: { "\($0)".contains("tokenizer.json") }
    }

    @Test func directoryWithoutManifestIsNotAPackage() throws {
        let directory = try TemporaryDirectory()
        #expect { try NPUPackageReader().summary(of: directory.url) } throws: {
            "\($0)".contains("is not an NPU model package") && "\($0)".contains("config.json")
        }
    }

    @Test func parameterSizeIsReadFromThePackageName() {
        #expect(NPUPackageReader.parameterSize(in: ["Qwen2.5-1.5B-Instruct-CTX-Int8"]) == "1.5B")
        #expect(NPUPackageReader.parameterSize(in: ["smollm2-135m-instruct-ax650"]) == "135M")
        #expect(NPUPackageReader.parameterSize(in: ["qwen3-ax650", "Qwen3-0.6B"]) == "0.6B")
        #expect(NPUPackageReader.parameterSize(in: ["tiny-ax650"]) == nil)
    }
}

extension SimulatorBackedTests {
    @Suite(.enabled(if: Simulator.isAvailable))
    struct PackageServing {
        @Test func factoryLoadsAPackageOnTheSharedCardAndReportsItsCMM() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            _ = try Simulator.fresh()
            let cards = NPUCards(environment: [AXCLLibrary.pathVariable: try #require(Simulator.libraryPath), "AXLLAMA_TELEMETRY_INTERVAL": "3600"])
            let factory = NPUEngineFactory(cards: cards)
            let weights = ModelWeights.npuPackage(directory: package.directory)
            #expect(factory.canLoad(weights) && !factory.canLoad(.gguf(directory.file("x.gguf"))))
            let first = try await factory.makeSession(for: weights, options: EngineLoadOptions())
            let second = try await factory.makeSession(for: weights, options: EngineLoadOptions())
            let engines = try [first, second].map { try #require($0.engine as? NPUEngine) }
            // One card object serves every package model on it.
            #expect(engines[0].device === engines[1].device)
            let descriptor = engines[0].descriptor
            #expect(descriptor.contextLength == TinyModel.contextLength)
            let used = try #require(descriptor.deviceMemoryBytes)
            #expect(used > 0)

            let before = try await engines[0].deviceProperties().cmmFreeKiB
            for engine in engines { try await engine.unload() }
            let after = try await engines[0].deviceProperties().cmmFreeKiB
            #expect(Int64(after - before) * 1024 >= used)
            for card in try await cards.pool().cards { await card.stop() }
        }

        @Test func missingRuntimeLibraryIsAnErrorNamingTheVariable() async throws {
            let cards = NPUCards(environment: [AXCLLibrary.pathVariable: "/nonexistent/libaxcl_rt.so"])
            await #expect { try await cards.pool() } throws: {
                "\($0)".contains(AXCLLibrary.pathVariable) && "\($0)".contains("/nonexistent/libaxcl_rt.so")
            }
        }
    }
}
