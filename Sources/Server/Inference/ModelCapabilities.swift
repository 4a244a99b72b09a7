import ChatTemplate
import GGUF
import Runtime
import Synchronization

/// What a stored model can do, read from the chat template in its GGUF (ollama
/// `server/images.go` derives `tools`, `thinking` and `insert` from the template). Read once
/// per weights file: the routes ask before every chat.
enum ModelCapabilities {
    private static let known = Mutex<[String: TemplateCapabilities]>([:])

    static func template(of model: StoredModel) -> TemplateCapabilities {
        let path = model.modelFile.path + "\u{0}" + (model.template ?? "")
        if let cached = known.withLock({ $0[path] }) { return cached }
        var capabilities: TemplateCapabilities = []
        if let source = model.template, !source.isEmpty {
            // A Modelfile TEMPLATE decides what the model can do.
            capabilities = (try? GoTemplate(source: source))?.capabilities ?? []
        } else if let file = try? GGUFFile(path: path), let source = file.string("tokenizer.chat_template"), !source.isEmpty,
           let template = try? ChatTemplate(source: source) {
            capabilities = template.capabilities
        }
        known.withLock { $0[path] = capabilities }
        return capabilities
    }

    /// The `capabilities` list of `/api/show` and `/api/tags`, in Ollama's order.
    static func names(_ model: StoredModel) -> [String] {
        let template = template(of: model)
        var names = ["completion"]
        if template.contains(.tools) { names.append("tools") }
        if template.contains(.insert) { names.append("insert") }
        if template.contains(.thinking) { names.append("thinking") }
        return names
    }
}
