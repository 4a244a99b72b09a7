import ChatTemplate
import GGUF
import Runtime
import Synchronization

/// What a stored model can do, read from its chat template (the GGUF's or the package's) (ollama
/// `server/images.go` derives `tools`, `thinking` and `insert` from the template). Read once
/// per weights file: the routes ask before every chat.
enum ModelCapabilities {
    private static let known = Mutex<[String: TemplateCapabilities]>([:])

    static func template(of model: StoredModel, in models: ModelService) -> TemplateCapabilities {
        let key = model.modelFile.path + "\u{0}" + (model.template ?? "")
        if let cached = known.withLock({ $0[key] }) { return cached }
        var capabilities: TemplateCapabilities = []
        if let source = model.template, !source.isEmpty {
            // A Modelfile TEMPLATE decides what the model can do.
            capabilities = (try? GoTemplate(source: source))?.capabilities ?? []
        } else if let source = chatTemplate(of: model, in: models), !source.isEmpty, let template = try? ChatTemplate(source: source) {
            capabilities = template.capabilities
        }
        known.withLock { $0[key] = capabilities }
        return capabilities
    }

    /// The model's own Hugging Face chat template: the GGUF's, or the package's tokenizer configuration's.
    static func chatTemplate(of model: StoredModel, in models: ModelService) -> String? {
        switch model.weights {
        case let .gguf(url): return (try? GGUFFile(path: url.path))?.string("tokenizer.chat_template")
        case .npuPackage: return models.packageSummary(model)?.chatTemplate
        }
    }

    /// The `capabilities` list of `/api/show` and `/api/tags`, in Ollama's order.
    static func names(_ model: StoredModel, in models: ModelService) -> [String] {
        let template = template(of: model, in: models)
        var names = ["completion"]
        if template.contains(.tools) { names.append("tools") }
        if template.contains(.insert) { names.append("insert") }
        if template.contains(.thinking) { names.append("thinking") }
        return names
    }
}
