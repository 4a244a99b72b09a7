import Foundation
import Runtime

/// Describes NPU model packages for the model store (issue 6 item 1): everything comes from the
/// package's files, nothing touches a card.
public struct NPUPackageReader: ModelPackageReader {
    public init() {}

    public func summary(of directory: URL) throws -> ModelPackageSummary {
        let package = try NPUModelPackage(directory: directory)
        // A package the server could list but never run is refused here, with the reason.
        guard package.tokenizerDirectory != nil else {
            throw NPUEngineError.invalidPackage(directory: package.directory.path, reason: "it has no tokenizer.json (neither named nor in a subdirectory)")
        }
        let manifest = package.manifest
        return ModelPackageSummary(
            format: "axmodel", family: NPUEngine.architecture(of: manifest),
            parameterSize: Self.parameterSize(in: [manifest.modelName, package.directory.lastPathComponent]),
            quantization: NPUEngine.quantization(of: manifest) ?? NPUEngine.quantization(named: package.directory.lastPathComponent),
            contextLength: nil, embeddingLength: manifest.hiddenSize, vocabularySize: manifest.vocabularySize,
            layerCount: manifest.layerCount, chatTemplate: package.chatTemplate,
            defaultParameters: try package.postConfig().map(Self.parameters) ?? [:])
    }

    /// `post_config.json` settings under the Modelfile PARAMETER names Ollama uses.
    static func parameters(_ config: PostConfig) -> [String: PackageParameter] {
        var parameters: [String: PackageParameter] = [:]
        if let value = config.temperature { parameters["temperature"] = .number(value) }
        if let value = config.topK { parameters["top_k"] = .integer(value) }
        if let value = config.topP { parameters["top_p"] = .number(value) }
        if let value = config.repetitionPenalty { parameters["repeat_penalty"] = .number(value) }
        if let value = config.penaltyWindow { parameters["repeat_last_n"] = .integer(value) }
        return parameters
    }

    /// `1.5B` from `Qwen2.5-1.5B-Instruct-CTX-Int8`, `135M` from `SmolLM2-135M-Instruct`: a number
    /// directly followed by B or M and then a separator or the end.
    public static func parameterSize(in names: [String]) -> String? {
        for name in names {
            let characters = Array(name)
            var index = 0
            while index < characters.count {
                guard characters[index].isNumber, index == 0 || !characters[index - 1].isLetter && !characters[index - 1].isNumber
                    && characters[index - 1] != "." else {
                    index += 1
                    continue
                }
                var end = index
                while end < characters.count, characters[end].isNumber || characters[end] == "." { end += 1 }
                if end < characters.count, "BbMm".contains(characters[end]),
                   end + 1 == characters.count || !characters[end + 1].isLetter && !characters[end + 1].isNumber {
                    return String(characters[index ..< end]) + characters[end].uppercased()
                }
                index = end
            }
        }
        return nil
    }
}
