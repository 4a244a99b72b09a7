import Foundation
import GGUF
import ModelConversion
import NPUEngine
import TestSupport
import Tokenizer

/// The default GGUF model converted into a package (config.json layout, a 256-position context):
/// big enough in MiB for a simulated card's CMM budget to be smaller than it, which the tiny
/// model never is.
struct DefaultModelPackage {
    let package: NPUModelPackage
    let tokenizer: BPETokenizer

    /// Bytes of the layer and post model files: a card whose CMM is below this cannot take the
    /// package whole, so the card pool splits it.
    var weightBytes: Int {
        (package.layerFiles + [package.postModelFile]).reduce(0) {
            $0 + (((try? FileManager.default.attributesOfItem(atPath: $1.path))?[.size] as? NSNumber)?.intValue ?? 0)
        }
    }

    var weightMebibytes: UInt32 { UInt32(weightBytes >> 20) }

    /// Nil when the default model is not in the model store (the tests that need it are disabled then).
    static func convert(in directory: TemporaryDirectory) throws -> DefaultModelPackage? {
        guard let url = TestModels.defaultModelURL() else { return nil }
        let file = try GGUFFile(path: url.path)
        let tokenizer = try BPETokenizer(configuration: TokenizerConfiguration(ggufFile: file))
        let package = try NPUPackageConverter(file: file, options: .init(layout: .configJSON, contextLength: 256))
            .write(to: directory.file("default"))
        return DefaultModelPackage(package: package, tokenizer: tokenizer)
    }
}
