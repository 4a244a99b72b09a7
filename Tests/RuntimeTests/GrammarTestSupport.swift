import Foundation
@testable import Runtime

/// Runs a grammar over whole texts: is the text complete, or at least a prefix that can still
/// be completed?
struct GrammarProbe {
    let automaton: GrammarAutomaton

    init(_ grammar: Grammar) { automaton = GrammarAutomaton(grammar: grammar) }

    func state(after text: String) -> GrammarAutomaton.StateID {
        automaton.next(automaton.start, Array(text.utf8))
    }

    func accepts(_ text: String) -> Bool {
        let state = state(after: text)
        return state != GrammarAutomaton.dead && automaton.isAccepting(state)
    }

    func isPrefix(_ text: String) -> Bool { state(after: text) != GrammarAutomaton.dead }
}

/// Checks a JSON value against the schema subset we compile, so that the tests judge outputs
/// independently of the grammar that produced them. Values come from `SchemaValue(parsing:)`
/// once Foundation has confirmed the text parses.
struct SchemaValidator {
    let root: SchemaValue

    func validate(_ value: SchemaValue) -> [String] {
        var problems: [String] = []
        check(value, against: root, path: "$", problems: &problems)
        return problems
    }

    private func check(_ value: SchemaValue, against schema: SchemaValue, path: String, problems: inout [String]) {
        if case .bool(true) = schema { return }
        guard schema.members != nil else {
            problems.append("\(path): schema is not an object")
            return
        }
        if case let .string(reference)? = schema["$ref"] {
            var node = root
            for token in reference.dropFirst(2).split(separator: "/") { node = node[String(token)] ?? .null }
            check(value, against: node, path: path, problems: &problems)
            return
        }
        for keyword in ["anyOf", "oneOf"] {
            if case let .array(alternatives)? = schema[keyword] {
                let matches = alternatives.filter { alternative in
                    var inner: [String] = []
                    check(value, against: alternative, path: path, problems: &inner)
                    return inner.isEmpty
                }
                if matches.isEmpty { problems.append("\(path): matches none of \(keyword)") }
                return
            }
        }
        if let constant = schema["const"], value != constant {
            problems.append("\(path): is not the const \(constant.jsonText)")
        }
        if case let .array(values)? = schema["enum"], !values.contains(value) {
            problems.append("\(path): \(value.jsonText) is not one of the enum values")
        }
        var types: [String] = []
        if case let .string(type)? = schema["type"] { types = [type] }
        if case let .array(names)? = schema["type"] { types = names.compactMap { if case let .string(n) = $0 { n } else { nil } } }
        if !types.isEmpty && !types.contains(where: { Self.has(type: $0, value) }) {
            problems.append("\(path): \(value.jsonText) is not of type \(types)")
            return
        }
        switch value {
        case let .object(members):
            let properties = schema["properties"]?.members ?? []
            var required: [String] = []
            if case let .array(names)? = schema["required"] { required = names.compactMap { if case let .string(n) = $0 { n } else { nil } } }
            for name in required where !members.contains(where: { $0.key == name }) { problems.append("\(path): misses required \(name)") }
            if Set(members.map(\.key)).count != members.count { problems.append("\(path): repeats a key") }
            for (name, member) in members {
                if let propertySchema = properties.first(where: { $0.key == name })?.value {
                    check(member, against: propertySchema, path: "\(path).\(name)", problems: &problems)
                } else if let additional = schema["additionalProperties"] {
                    check(member, against: additional, path: "\(path).\(name)", problems: &problems)
                } else if !properties.isEmpty || !required.isEmpty {
                    // Our default, as llama.cpp's: only the declared properties.
                    problems.append("\(path): unexpected property \(name)")
                }
            }
        case let .array(items):
            if case let .number(minimum)? = schema["minItems"], items.count < Int(minimum) { problems.append("\(path): fewer than \(Int(minimum)) items") }
            if case let .number(maximum)? = schema["maxItems"], items.count > Int(maximum) { problems.append("\(path): more than \(Int(maximum)) items") }
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() { check(item, against: itemSchema, path: "\(path)[\(index)]", problems: &problems) }
            }
        case let .string(string):
            if case let .number(minimum)? = schema["minLength"], string.unicodeScalars.count < Int(minimum) { problems.append("\(path): shorter than \(Int(minimum))") }
            if case let .number(maximum)? = schema["maxLength"], string.unicodeScalars.count > Int(maximum) { problems.append("\(path): longer than \(Int(maximum))") }
            if case let .string(pattern)? = schema["pattern"], string.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(path): \"\(string)\" does not match \(pattern)")
            }
        case let .number(number):
            if case let .number(minimum)? = schema["minimum"], number < minimum { problems.append("\(path): below minimum") }
            if case let .number(maximum)? = schema["maximum"], number > maximum { problems.append("\(path): above maximum") }
        default:
            break
        }
    }

    static func has(type: String, _ value: SchemaValue) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("null", .null), ("boolean", .bool), ("number", .number):
            return true
        case let ("integer", .number(number)):
            return number == number.rounded()
        default:
            return false
        }
    }
}

/// Parses with Foundation, as a client would.
func parseJSON(_ text: String) -> Any? {
    try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}
