import Foundation

/// `config.json` of axllm packages (axera.md §3.2, ax-llm docs/configuration.md).
extension NPUPackageManifest {
    static let requiredConfigKeys = [
        "template_filename_axmodel", "axmodel_num", "filename_post_axmodel", "filename_tokens_embed",
        "tokens_embed_num", "tokens_embed_size",
    ]

    /// Nil when the object is not an axllm configuration (old packages ship an empty `config.json`).
    init?(config object: [String: Any], directory: String) throws {
        guard object["template_filename_axmodel"] != nil else { return nil }
        for key in Self.requiredConfigKeys where object[key] == nil {
            throw NPUEngineError.invalidPackage(directory: directory, reason: "config.json lacks \"\(key)\"")
        }
        func number(_ key: String) throws -> Int {
            guard let value = (object[key] as? NSNumber)?.intValue ?? (object[key] as? String).flatMap(Int.init), value > 0 else {
                throw NPUEngineError.invalidPackage(directory: directory, reason: "config.json \"\(key)\" is not a positive number")
            }
            return value
        }
        func flag(_ key: String) -> Bool {
            if let value = object[key] as? Bool { return value }
            return (object[key] as? NSNumber)?.intValue == 1
        }
        self.init(
            modelName: object["model_name"] as? String ?? URL(fileURLWithPath: directory).lastPathComponent,
            layerTemplate: object["template_filename_axmodel"] as? String ?? "",
            layerCount: try number("axmodel_num"),
            postModel: object["filename_post_axmodel"] as? String ?? "",
            embeddings: object["filename_tokens_embed"] as? String ?? "",
            vocabularySize: try number("tokens_embed_num"), hiddenSize: try number("tokens_embed_size"),
            tokenizer: object["url_tokenizer_model"] as? String,
            postConfig: object["post_config_path"] as? String,
            addBOS: flag("bos"), addEOS: flag("eos"))
    }

    /// The `config.json` object for this manifest, keys as axllm names them.
    public func configObject(tokenizerType: String) -> [String: Any] {
        var object: [String: Any] = [
            "model_name": modelName,
            "tokenizer_type": tokenizerType,
            "template_filename_axmodel": layerTemplate,
            "axmodel_num": layerCount,
            "filename_post_axmodel": postModel,
            "filename_tokens_embed": embeddings,
            "tokens_embed_num": vocabularySize,
            "tokens_embed_size": hiddenSize,
            "bos": addBOS,
            "eos": addEOS,
            "use_mmap_load_embed": true,
        ]
        if let tokenizer { object["url_tokenizer_model"] = tokenizer }
        if let postConfig { object["post_config_path"] = postConfig }
        return object
    }
}
