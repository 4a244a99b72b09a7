import Foundation

/// The one JSON encoder and decoder of the API. Keys are sorted because Foundation's encoder on
/// Linux otherwise writes them in a different order in every process.
public enum WireCoding {
    public static func encode<Value: Encodable>(_ value: Value) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(value)
        } catch {
            // Only non-finite floats can fail; they never reach the wire as numbers.
            preconditionFailure("wire value could not be encoded: \(error)")
        }
    }

    /// One NDJSON line: the object and exactly one `\n`.
    public static func line<Value: Encodable>(_ value: Value) -> Data {
        var data = encode(value)
        data.append(0x0A)
        return data
    }

    /// Decodes a request or response body; the error says what is wrong in the terms Ollama uses.
    public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as WireDecodingError {
            throw error
        } catch let error as DecodingError {
            throw WireDecodingError.invalidValue(message(for: error, rootType: String(describing: type)))
        }
    }

    /// Go-style wording (`json: cannot unmarshal string into Go struct field GenerateRequest.stream of type bool`),
    /// so that clients see the same kind of message as from Ollama.
    static func message(for error: DecodingError, rootType: String) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .typeMismatch(expected, context), let .valueNotFound(expected, context):
            if let wire = context.underlyingError as? WireDecodingError { return wire.description }
            return "json: cannot unmarshal value into Go struct field \(rootType).\(path(context)) of type \(goTypeName(expected))"
        case let .dataCorrupted(context):
            if let wire = context.underlyingError as? WireDecodingError { return wire.description }
            if context.codingPath.isEmpty {
                let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                return "invalid character in JSON body" + (detail.map { ": \($0)" } ?? "")
            }
            return "json: invalid value for Go struct field \(rootType).\(path(context))"
        case let .keyNotFound(key, _):
            return "json: missing field \"\(key.stringValue)\""
        @unknown default:
            return "invalid JSON body"
        }
    }

    private static func goTypeName(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: return "bool"
        case is String.Type: return "string"
        case is Int.Type, is Int64.Type: return "int"
        case is Double.Type: return "float64"
        case is Float.Type: return "float32"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "[]" + name.dropFirst(6).dropLast() }
            if name.hasPrefix("Dictionary") { return "map[string]interface {}" }
            return name
        }
    }
}
