import Foundation
import Runtime

extension ToolSchema {
    /// The functions of a chat request's `tools` (Ollama's and OpenAI's share the shape
    /// `{"type": "function", "function": {"name", "parameters"}}`), read from the request as
    /// sent so that each schema keeps the order of its `properties`.
    static func offered(in requestBody: Data) -> [ToolSchema] {
        guard let body = try? SchemaValue(parsing: String(decoding: requestBody, as: UTF8.self)),
              case let .array(tools)? = body["tools"] else { return [] }
        return tools.compactMap { tool in
            guard let function = tool["function"], case let .string(name)? = function["name"] else { return nil }
            let parameters = function["parameters"].flatMap { $0 == .null ? nil : $0 }
            return ToolSchema(name: name, parameters: parameters)
        }
    }
}
