import Foundation
import OllamaAPI
import Runtime

extension OutputFormat {
    /// The grammar that enforces the format: any JSON object for `"json"` (as Ollama's JSON
    /// grammar), the schema's language for a schema.
    /// `requestBody` and `path` locate the schema in the request as sent: the decoded value has
    /// lost the order of `properties`, which decides the order the model writes them in.
    func constraint(requestBody: Data? = nil, path: [String] = []) throws -> OutputConstraint {
        switch self {
        case .json:
            return OutputConstraint(grammar: Grammar.jsonObject)
        case let .schema(schema):
            do {
                if let requestBody, let original = try? SchemaValue(parsing: String(decoding: requestBody, as: UTF8.self)).member(at: path) {
                    return OutputConstraint(grammar: try Grammar.jsonSchema(original))
                }
                return OutputConstraint(grammar: try Grammar.jsonSchema(text: String(decoding: WireCoding.encode(schema), as: UTF8.self)))
            } catch {
                throw APIError(.badRequest, "invalid JSON schema in format: \(error)")
            }
        }
    }

    static func constraint(_ value: JSONValue?, requestBody: Data? = nil) throws -> OutputConstraint? {
        try OutputFormat.from(value)?.constraint(requestBody: requestBody, path: ["format"])
    }
}

extension SchemaValue {
    /// The value at `path` (object keys, outermost first), if every step is an object member.
    func member(at path: [String]) -> SchemaValue? {
        var current = self
        for key in path {
            guard case let .object(pairs) = current, let next = pairs.last(where: { $0.key == key })?.value else { return nil }
            current = next
        }
        return current
    }
}
