import Foundation
import OllamaAPI
import Runtime

extension OutputFormat {
    /// The grammar that enforces the format: any JSON object for `"json"` (as Ollama's JSON
    /// grammar), the schema's language for a schema.
    func constraint() throws -> OutputConstraint {
        switch self {
        case .json:
            return OutputConstraint(grammar: Grammar.jsonObject)
        case let .schema(schema):
            do {
                return OutputConstraint(grammar: try Grammar.jsonSchema(text: String(decoding: WireCoding.encode(schema), as: UTF8.self)))
            } catch {
                throw APIError(.badRequest, "invalid JSON schema in format: \(error)")
            }
        }
    }

    static func constraint(_ value: JSONValue?) throws -> OutputConstraint? {
        try OutputFormat.from(value)?.constraint()
    }
}
