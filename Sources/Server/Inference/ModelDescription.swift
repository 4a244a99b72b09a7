import Foundation
import GGUF
import OllamaAPI
import Runtime

/// How the model endpoints describe a stored model: details, capabilities, GGUF metadata, the
/// parameters block and a Modelfile that rebuilds it.
enum ModelDescription {
    static func details(_ model: StoredModel) -> ModelDetails {
        let config = model.config
        let family = config?.modelFamily ?? ""
        return ModelDetails(format: config?.modelFormat ?? "gguf", family: family,
                            families: config?.modelFamilies ?? (family.isEmpty ? nil : [family]),
                            parameterSize: config?.modelType ?? "", quantizationLevel: config?.fileType ?? "")
    }

    static func capabilities(_ model: StoredModel, in models: ModelService) -> [String] { ModelCapabilities.names(model, in: models) }

    static func timestamp(_ model: StoredModel) -> WireTimestamp {
        WireTimestamp(seconds: model.modifiedAt.seconds, nanoseconds: model.modifiedAt.nanoseconds).local
    }

    /// GGUF metadata without `general.name` and the chat template; arrays longer than five are
    /// shown as `[]` unless `verbose` (ollama `ShowHandler`).
    static func modelInfo(_ file: GGUFFile, verbose: Bool) -> JSONValue {
        var pairs: [(key: String, value: JSONValue)] = []
        for key in file.metadataKeys where key != "general.name" && key != "tokenizer.chat_template" {
            guard let value = file.metadata[key] else { continue }
            if case let .array(items) = value, items.count > 5, !verbose {
                pairs.append((key, .array([])))
            } else {
                pairs.append((key, json(value)))
            }
        }
        return .object(pairs)
    }

    /// What `model_info` says about a package, under GGUF's key names so clients read it the same.
    static func modelInfo(_ summary: ModelPackageSummary, directory: URL, contextLength: Int?) -> JSONValue {
        let family = summary.family
        var pairs: [(key: String, value: JSONValue)] = [
            ("general.architecture", .string(family)),
            ("general.file_type", .string(summary.format)),
            ("\(family).block_count", .number(Double(summary.layerCount))),
            ("\(family).embedding_length", .number(Double(summary.embeddingLength))),
            ("\(family).vocab_size", .number(Double(summary.vocabularySize))),
        ]
        if let contextLength { pairs.append(("\(family).context_length", .number(Double(contextLength)))) }
        pairs.append(("axllama.package.directory", .string(directory.path)))
        return .object(pairs)
    }

    static func json(_ value: GGUFValue) -> JSONValue {
        switch value {
        case let .uint8(v): return .number(Double(v))
        case let .int8(v): return .number(Double(v))
        case let .uint16(v): return .number(Double(v))
        case let .int16(v): return .number(Double(v))
        case let .uint32(v): return .number(Double(v))
        case let .int32(v): return .number(Double(v))
        case let .uint64(v): return .number(Double(v))
        case let .int64(v): return .number(Double(v))
        case let .float32(v): return .number(Double(v))
        case let .float64(v): return .number(v)
        case let .bool(v): return .bool(v)
        case let .string(v): return .string(v)
        case let .array(items): return .array(items.map(json))
        }
    }

    /// `key  value` lines: the key padded to 30 columns, strings quoted as Go's `%#v` does.
    static func parametersText(_ parameters: [String: JSONValue]) -> String {
        var lines: [String] = []
        for key in parameters.keys.sorted() {
            let values: [JSONValue]
            if case let .array(items) = parameters[key]! { values = items } else { values = [parameters[key]!] }
            for value in values {
                let shown: String
                switch value {
                case let .string(text): shown = quoted(text)
                default: shown = value.compactText
                }
                lines.append(key.padding(toLength: max(30, key.count), withPad: " ", startingAt: 0) + " " + shown)
            }
        }
        return lines.joined(separator: "\n")
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    static func parameters(_ model: StoredModel) -> [String: JSONValue] {
        (model.parametersJSON.flatMap { try? WireCoding.decode([String: JSONValue].self, from: $0) }) ?? [:]
    }

    static func messages(_ model: StoredModel) -> [Message] {
        (model.messagesJSON.flatMap { try? WireCoding.decode([Message].self, from: $0) }) ?? []
    }

    /// A Modelfile that recreates the model (`ollama show --modelfile`).
    static func modelfile(_ model: StoredModel, template: String?) -> String {
        var text = "# Modelfile generated by \"ollama show\"\n# To build a new Modelfile based on this, replace FROM with:\n"
        text += "# FROM \(model.name.displayShortest)\n\nFROM \(model.modelFile.path)\n"
        if let template, !template.isEmpty { text += "TEMPLATE \"\"\"\(template)\"\"\"\n" }
        if let system = model.system, !system.isEmpty { text += "SYSTEM \"\"\"\(system)\"\"\"\n" }
        let parameters = parameters(model)
        for key in parameters.keys.sorted() {
            let values: [JSONValue]
            if case let .array(items) = parameters[key]! { values = items } else { values = [parameters[key]!] }
            for value in values { text += "PARAMETER \(key) \(value.stringValue ?? value.compactText)\n" }
        }
        for license in model.license { text += "LICENSE \"\"\"\(license)\"\"\"\n" }
        for message in messages(model) { text += "MESSAGE \(message.role) \"\"\"\(message.content)\"\"\"\n" }
        return text
    }
}
