import AXCL
import AXCLSimulatorSupport
import Foundation
import NPUEngine
import Testing
import Tokenizer

/// Reading vendor packages in both layouts (axera.md §3.2, §3.3).
@Suite struct PackageReading {
    @Test(arguments: NPUPackageLayout.allCases)
    func convertedPackageIsRecognisedInItsLayout(layout: NPUPackageLayout) throws {
        let directory = try TemporaryDirectory()
        let written = try TinyModel.package(layout, in: directory)
        #expect(NPUModelPackage.isPackage(directory: written.directory))
        let package = try NPUModelPackage(directory: written.directory)
        #expect(package.layout == layout)
        #expect(package.manifest.layerCount == TinyModel.layers)
        #expect(package.manifest.vocabularySize == TinyModel.vocabulary)
        #expect(package.manifest.hiddenSize == TinyModel.hidden)
        #expect(package.layerFiles.map(\.lastPathComponent) == ["llama_p128_l0_together.axmodel", "llama_p128_l1_together.axmodel"])
        #expect(package.tokenizerDirectory != nil)
        #expect(try package.postConfig() == PostConfig(temperature: 0.9, topK: 10))
        let tokenizer = try package.tokenizerConfiguration()
        #expect(tokenizer.tokens.count == TinyModel.vocabulary)
        #expect(tokenizer.eosTokenID == 0)
    }

    @Test func oldLayoutKeepsEnginesInASubdirectoryBesideTheTokenizer() throws {
        let directory = try TemporaryDirectory()
        let package = try TinyModel.package(.runScript, in: directory)
        let files = try FileManager.default.contentsOfDirectory(atPath: package.directory.path).sorted()
        #expect(files == ["config.json", "llama_tokenizer", "post_config.json", "run_tiny-ax650_axcl_aarch64.sh", "tiny-ax650"])
        let script = try String(contentsOf: package.directory.appendingPathComponent("run_tiny-ax650_axcl_aarch64.sh"), encoding: .utf8)
        #expect(script.contains("--template_filename_axmodel tiny-ax650/llama_p128_l%d_together.axmodel"))
        #expect(script.contains("--tokens_embed_num 96"))
    }

    @Test func runScriptWithQuotesAndContinuationsIsParsed() throws {
        let text = """
        #!/bin/bash
        # comment --template_filename_axmodel ignored
        ./main_axcl_aarch64 \\
        --system_prompt "You are Qwen, created by Alibaba Cloud." \\
        --template_filename_axmodel "qwen2.5-1.5b-ctx-ax650/qwen2_p128_l%d_together.axmodel" \\
        --axmodel_num 28 --tokenizer_type 2 --url_tokenizer_model 'http://127.0.0.1:12345' \\
        --tokens_embed_num 151936 --tokens_embed_size 1536 --live_print
        """
        let script = try #require(RunScript(parsing: text))
        #expect(script.value("system_prompt") == "You are Qwen, created by Alibaba Cloud.")
        #expect(script.value("template_filename_axmodel") == "qwen2.5-1.5b-ctx-ax650/qwen2_p128_l%d_together.axmodel")
        #expect(script.value("axmodel_num") == "28")
        #expect(script.value("url_tokenizer_model") == "http://127.0.0.1:12345")
        #expect(script.value("live_print") == "")
    }

    @Test func embeddingFileOfTheWrongSizeIsRejected() throws {
        let directory = try TemporaryDirectory()
        let package = try TinyModel.package(.configJSON, in: directory)
        #expect(throws: NPUEngineError.embeddingSizeMismatch(path: package.embeddingFile.path, bytes: TinyModel.vocabulary * TinyModel.hidden * 2,
                                                             vocabulary: TinyModel.vocabulary + 1, hidden: TinyModel.hidden)) {
            try EmbeddingTable(url: package.embeddingFile, vocabularySize: TinyModel.vocabulary + 1, hiddenSize: TinyModel.hidden)
        }
    }

    @Test func missingLayerFileIsNamed() throws {
        let directory = try TemporaryDirectory()
        let package = try TinyModel.package(.configJSON, in: directory)
        try FileManager.default.removeItem(at: package.layerFiles[1])
        #expect(throws: NPUEngineError.missingFile(path: package.layerFiles[1].path, role: "layer model 1")) {
            try NPUModelPackage(directory: package.directory)
        }
    }

    @Test func directoryWithoutManifestIsNotAPackage() throws {
        let directory = try TemporaryDirectory()
        try Data().write(to: directory.file("config.json"))
        #expect(!NPUModelPackage.isPackage(directory: directory.url))
    }
}

extension SimulatorBackedTests {
    /// A converted layer offers the vendor's IO table (axera.md §3.4) and is classified like ax-llm.
    @Suite(.enabled(if: Simulator.isAvailable)) struct ConvertedLayerIO {
        @Test func layerIOMatchesTheVendorTable() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            let card = try await SimulatedCard.open()
            let model = try await card.device.loadModel(path: package.layerFiles[0].path)
            let info = try await card.device.ioInfo(for: model)
            #expect(info.inputNames == ["K_cache", "V_cache", "indices", "input", "mask"])
            #expect(info.outputNames == ["K_cache_out", "V_cache_out", "output"])
            let C = TinyModel.contextLength, P = TinyModel.chunk, h = TinyModel.hidden, kv = 32
            let decode = info.groups[0]
            #expect(decode.input(named: "K_cache")?.dimensions == [1, C, kv])
            #expect(decode.input(named: "indices")?.dimensions == [1, 1])
            #expect(decode.input(named: "indices")?.dataType == .uint32)
            #expect(decode.input(named: "input")?.dimensions == [1, 1, h])
            #expect(decode.input(named: "mask")?.dimensions == [1, 1, C + 1])
            #expect(decode.output(named: "K_cache_out")?.dimensions == [1, 1, kv])
            #expect(decode.output(named: "output")?.dimensions == [1, 1, h])
            let histories = [1, 128, 256, 384]
            #expect(info.groups.count == 1 + histories.count)
            for (group, H) in zip(info.groups.dropFirst(), histories) {
                #expect(group.input(named: "K_cache")?.dimensions == [1, H, kv])
                #expect(group.input(named: "indices")?.dimensions == [1, P])
                #expect(group.input(named: "mask")?.dimensions == [1, P, H + P])
                #expect(group.input(named: "mask")?.dataType == .bf16)
                #expect(group.output(named: "V_cache_out")?.dimensions == [1, P, kv])
            }
            let plan = try LayerShapePlan(groups: info.groups, path: package.layerFiles[0].path)
            #expect(plan.decodeGroup == 0)
            #expect(plan.capacity == C)
            #expect(plan.chunk == P)
            #expect(plan.prefillGroups.map(\.history) == histories)
            #expect(plan.prefillGroup(afterCached: 0)?.history == 1)
            #expect(plan.prefillGroup(afterCached: 129)?.history == 256)
            #expect(plan.prefillGroup(afterCached: 385) == nil)
            try await card.device.destroy(info)
            try await card.device.unload(model)
        }
    }
}
