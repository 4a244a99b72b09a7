import ArgumentParser
import Foundation
import GGUF
import ModelConversion
import NPUEngine

/// `axllama convert MODEL.gguf DIR`: an NPU model package with simulated layer models, for
/// running the NPU path on the AXCL simulator (docs/simulated-axmodel.md).
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a GGUF model (llama, qwen2, qwen3) into an NPU model package with simulated .axmodel files.",
        discussion: precisionNote)

    /// Measured with `swift test --filter CPUEquivalence` (docs/simulated-axmodel.md, "Precision").
    static let precisionNote = """
        Precision: the vendor's format (bf16 embeddings, activations and logits) differs from the CPU \
        engine at near ties because of the format itself (default model, 5 prompts x 32 greedy \
        tokens: 95.6 % top-1 agreement, 1 of 5 sequences equal). With --embeddings fp32 \
        --activations fp32 --logits fp32 nothing is rounded and the NPU engine generates the CPU \
        engine's tokens (100 %, 5 of 5). The vendor's runner reads only bf16 embedding tables.
        """

    enum Layout: String, ExpressibleByArgument, CaseIterable {
        case runScript = "run-script", config = "config-json"
        var packageLayout: NPUPackageLayout { self == .runScript ? .runScript : .configJSON }
    }

    @Argument(help: "The GGUF model file.")
    var model: String

    @Argument(help: "The package directory to create (must not exist or be empty).")
    var output: String

    @Option(help: "Package layout: run-script (older vendor packages) or config-json (axllm).")
    var layout: Layout = .config

    @Option(help: "Positions of the decode group's cache: the package's context limit.")
    var context = 1024

    @Option(help: "Rows of a prefill chunk.")
    var chunk = 128

    @Option(help: "Distance between the prefill groups' history capacities.")
    var historyStep = 256

    @Option(help: "Model name used for file and directory names.")
    var name: String?

    @Option(help: "Data type of the hidden state, masks and K/V cache the layer models exchange: bf16 (as the vendor's packages), fp16 or fp32.")
    var activations: FloatIOType = .bf16

    @Option(help: "Data type of the post model's logits: bf16 (as the vendor's packages), fp16 or fp32.")
    var logits: FloatIOType = .bf16

    @Option(help: "Element type of the embedding table: bf16 (the vendor's format) or fp32 (the GGUF's rows as the CPU engine embeds them).")
    var embeddings: EmbeddingType = .bf16

    enum EmbeddingType: String, ExpressibleByArgument, CaseIterable {
        case bf16, fp32
        var floatType: FloatIOType { self == .fp32 ? .fp32 : .bf16 }
    }

    func run() throws {
        let file = try GGUFFile(path: model)
        let options = NPUPackageConverter.Options(layout: layout.packageLayout, contextLength: context, chunk: chunk,
                                                  historyStep: historyStep, modelName: name, activations: activations, logits: logits,
                                                  embeddings: embeddings.floatType)
        let converter = try NPUPackageConverter(file: file, options: options)
        let package = try converter.write(to: URL(fileURLWithPath: output)) { step in
            FileHandle.standardError.write(Data("converting \(step)\n".utf8))
        }
        print("wrote \(package.directory.path): \(package.manifest.layerCount) layers, context \(context), layout \(layout.rawValue), "
            + "activations \(activations.rawValue), logits \(logits.rawValue), embeddings \(embeddings.rawValue)")
    }
}

extension FloatIOType: ExpressibleByArgument {}
