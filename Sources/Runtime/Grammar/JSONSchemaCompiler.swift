extension Grammar {
    /// Ollama's `format: "json"`: any JSON object (its JSON grammar has an object at the root).
    /// No whitespace before or after it, so the generation ends as soon as the object closes.
    public static let jsonObject: Grammar = {
        let builder = GrammarBuilder()
        let value = JSONGrammar.anyValue(in: builder)
        let object = JSONGrammar.object([.init(JSONGrammar.member(key: JSONGrammar.string(), value: .rule(value)), .repeated)])
        return builder.build(start: object, name: "JSON object")
    }()

    /// Any JSON value.
    public static let jsonValue: Grammar = {
        let builder = GrammarBuilder()
        return builder.build(start: .rule(JSONGrammar.anyValue(in: builder)), name: "JSON value")
    }()

    /// `format: {schema}`: the JSON values the schema describes, within the supported subset
    /// (see `JSONSchemaCompiler`); anything else is an error naming the keyword.
    public static func jsonSchema(_ schema: SchemaValue) throws(SchemaError) -> Grammar {
        var compiler = JSONSchemaCompiler(root: schema)
        return try compiler.compile()
    }

    public static func jsonSchema(text: String) throws(SchemaError) -> Grammar {
        try jsonSchema(SchemaValue(parsing: text))
    }

    /// As `jsonSchema`, but a part of the schema that cannot be compiled allows any value there
    /// (and number bounds are not enforced) instead of failing: for tool parameters, which
    /// Ollama does not constrain at all, so a request must never fail because of them.
    public static func jsonSchemaBestEffort(_ schema: SchemaValue) -> Grammar {
        var compiler = JSONSchemaCompiler(root: schema, bestEffort: true)
        return (try? compiler.compile()) ?? jsonValue
    }
}

/// Compiles a JSON Schema subset to a grammar, following llama.cpp's json-schema-to-grammar
/// where a choice had to be made (common/json-schema-to-grammar.cpp):
///
/// - properties are written in the order the schema lists them; optional ones may be left out;
/// - `additionalProperties` absent: when `properties` or `required` are given, no other property
///   is allowed (llama.cpp only adds extra keys for `true` or a schema); without either, any
///   object. `true` or a schema allows extra keys after the declared ones;
/// - `oneOf` is treated as `anyOf`; `allOf` is accepted with a single subschema only;
/// - `format` `date`, `time`, `date-time` and `uuid` are enforced, other formats are annotations;
/// - numbers have at most 16 integral and 16 fraction digits; strings and arrays unbounded
///   unless `maxLength`/`maxItems` say otherwise.
struct JSONSchemaCompiler {
    let root: SchemaValue
    private let builder = GrammarBuilder()
    private var references: [String: GrammarRuleID] = [:]
    private var anyValueRule: GrammarRuleID?

    /// Keywords that describe but do not constrain; they are read past.
    static let annotations: Set<String> = [
        "$schema", "$id", "$comment", "$defs", "definitions", "title", "description", "default",
        "examples", "deprecated", "readOnly", "writeOnly", "contentEncoding", "contentMediaType",
    ]
    static let constraints: Set<String> = [
        "type", "enum", "const", "anyOf", "oneOf", "allOf", "$ref",
        "properties", "required", "additionalProperties",
        "items", "minItems", "maxItems",
        "minLength", "maxLength", "pattern", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    ]
    static let objectKeywords: Set<String> = ["properties", "required", "additionalProperties"]
    static let arrayKeywords: Set<String> = ["items", "minItems", "maxItems"]
    static let stringKeywords: Set<String> = ["minLength", "maxLength", "pattern", "format"]
    static let numberKeywords: Set<String> = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]
    /// Unrolled repetitions beyond this would make the grammar huge.
    static let largestCount = 1024

    /// Parts that cannot be compiled allow any value instead of failing the whole schema.
    let bestEffort: Bool

    init(root: SchemaValue, bestEffort: Bool = false) {
        self.root = root
        self.bestEffort = bestEffort
    }

    mutating func compile() throws(SchemaError) -> Grammar {
        let start = try compile(root, path: "#")
        return builder.build(start: start, name: "JSON schema")
    }

    private mutating func anyValue() -> GrammarExpression {
        if anyValueRule == nil { anyValueRule = JSONGrammar.anyValue(in: builder) }
        return .rule(anyValueRule!)
    }

    private mutating func compile(_ schema: SchemaValue, path: String) throws(SchemaError) -> GrammarExpression {
        guard bestEffort else { return try compileStrictly(schema, path: path) }
        // The innermost part that fails becomes any value; everything around it stays checked.
        do { return try compileStrictly(schema, path: path) } catch { return anyValue() }
    }

    private mutating func compileStrictly(_ schema: SchemaValue, path: String) throws(SchemaError) -> GrammarExpression {
        switch schema {
        case .bool(true): return anyValue()
        case .bool(false): throw .unsatisfiable(path: path, reason: "the schema is false")
        case .object: break
        default: throw .invalidValue(keyword: "schema", path: path, expected: "an object or a boolean")
        }
        let members = schema.members!
        for (key, _) in members where !Self.annotations.contains(key) && !Self.constraints.contains(key) {
            throw .unsupportedKeyword(key, path: path)
        }
        let constraining = members.map(\.key).filter { Self.constraints.contains($0) }

        if let reference = schema["$ref"] {
            try onlyKeyword("$ref", among: constraining, path: path)
            guard case let .string(target) = reference else { throw .invalidValue(keyword: "$ref", path: path, expected: "a string") }
            return .rule(try resolve(target, path: path))
        }
        for keyword in ["anyOf", "oneOf"] {
            guard let alternatives = schema[keyword] else { continue }
            try onlyKeyword(keyword, among: constraining, path: path)
            guard case let .array(schemas) = alternatives, !schemas.isEmpty else {
                throw .invalidValue(keyword: keyword, path: path, expected: "a non-empty array of schemas")
            }
            var compiled: [GrammarExpression] = []
            for (index, alternative) in schemas.enumerated() {
                compiled.append(try compile(alternative, path: "\(path)/\(keyword)/\(index)"))
            }
            return .choice(compiled)
        }
        if let all = schema["allOf"] {
            try onlyKeyword("allOf", among: constraining, path: path)
            guard case let .array(schemas) = all, schemas.count == 1 else {
                throw .unsupportedKeyword("allOf", path: path, reason: "only a single subschema is supported")
            }
            return try compile(schemas[0], path: "\(path)/allOf/0")
        }
        if let constant = schema["const"] {
            return .literal(constant.jsonText)
        }
        if let values = schema["enum"] {
            guard case let .array(values) = values else { throw .invalidValue(keyword: "enum", path: path, expected: "an array") }
            guard !values.isEmpty else { throw .unsatisfiable(path: path, reason: "enum is empty") }
            return .oneOf(literals: values.map { Array($0.jsonText.utf8) })
        }

        let types: [String]
        switch schema["type"] {
        case let .string(name)?:
            types = [name]
        case let .array(names)?:
            types = try names.map { name throws(SchemaError) -> String in
                guard case let .string(name) = name else { throw .invalidValue(keyword: "type", path: path, expected: "a type name or an array of them") }
                return name
            }
            guard !types.isEmpty else { throw .unsatisfiable(path: path, reason: "type is an empty array") }
        case nil:
            let keys = Set(constraining)
            if !keys.isDisjoint(with: Self.objectKeywords) { types = ["object"] }
            else if !keys.isDisjoint(with: Self.arrayKeywords) { types = ["array"] }
            else if !keys.isDisjoint(with: Self.stringKeywords) { types = ["string"] }
            else if !keys.isDisjoint(with: Self.numberKeywords) { types = ["number"] }
            else { return anyValue() }
        default:
            throw .invalidValue(keyword: "type", path: path, expected: "a type name or an array of them")
        }
        var alternatives: [GrammarExpression] = []
        for type in types {
            alternatives.append(try compile(type: type, schema, path: path))
        }
        return .choice(alternatives)
    }

    private func onlyKeyword(_ keyword: String, among constraining: [String], path: String) throws(SchemaError) {
        if let other = constraining.first(where: { $0 != keyword }) {
            throw .unsupportedKeyword(other, path: path, reason: "constraints beside \(keyword) are not supported")
        }
    }

    private mutating func compile(type: String, _ schema: SchemaValue, path: String) throws(SchemaError) -> GrammarExpression {
        switch type {
        case "object": return try object(schema, path: path)
        case "array": return try array(schema, path: path)
        case "string": return try string(schema, path: path)
        case "integer": return try integer(schema, path: path)
        case "number":
            for keyword in Self.numberKeywords.sorted() where schema[keyword] != nil && !bestEffort {
                throw .unsupportedKeyword(keyword, path: path, reason: "bounds are supported on integers only")
            }
            return JSONGrammar.number
        case "boolean": return JSONGrammar.boolean
        case "null": return JSONGrammar.null
        default:
            throw .invalidValue(keyword: "type", path: path, expected: "one of object, array, string, number, integer, boolean, null (got \"\(type)\")")
        }
    }

    private mutating func object(_ schema: SchemaValue, path: String) throws(SchemaError) -> GrammarExpression {
        var properties: [(key: String, value: SchemaValue)] = []
        if let value = schema["properties"] {
            guard let members = value.members else { throw .invalidValue(keyword: "properties", path: path, expected: "an object") }
            properties = members
        }
        var required: [String] = []
        if let value = schema["required"] {
            guard case let .array(names) = value else { throw .invalidValue(keyword: "required", path: path, expected: "an array of property names") }
            for name in names {
                guard case let .string(name) = name else { throw .invalidValue(keyword: "required", path: path, expected: "an array of property names") }
                required.append(name)
            }
        }
        var items: [GrammarExpression.ListItem] = []
        var declared: [String] = []
        for (name, propertySchema) in properties where !declared.contains(name) {
            declared.append(name)
            let value = try compile(propertySchema, path: "\(path)/properties/\(Self.pointerEscaped(name))")
            items.append(.init(member(name, value), required.contains(name) ? .required : .optional))
        }
        // A required name without a schema must be there, with any value.
        for name in required where !declared.contains(name) {
            declared.append(name)
            items.append(.init(member(name, anyValue()), .required))
        }
        let extra: GrammarExpression?
        switch schema["additionalProperties"] {
        case nil: extra = properties.isEmpty && required.isEmpty ? anyValue() : nil
        case .bool(false)?: extra = nil
        case let additional?: extra = try compile(additional, path: "\(path)/additionalProperties")
        }
        if let extra {
            items.append(.init(JSONGrammar.member(key: JSONGrammar.string(excluding: declared), value: extra), .repeated))
        }
        return JSONGrammar.object(items)
    }

    private func member(_ name: String, _ value: GrammarExpression) -> GrammarExpression {
        JSONGrammar.member(key: .literal(SchemaValue.string(name).jsonText), value: value)
    }

    private mutating func array(_ schema: SchemaValue, path: String) throws(SchemaError) -> GrammarExpression {
        let minimum = try count("minItems", in: schema, path: path) ?? 0
        let maximum = try count("maxItems", in: schema, path: path)
        if let maximum, maximum < minimum { throw .unsatisfiable(path: path, reason: "minItems \(minimum) is above maxItems \(maximum)") }
        var item = anyValue()
        if let items = schema["items"] {
            if case .array = items {
                throw .unsupportedKeyword("items", path: path, reason: "tuple form (an array of schemas) is not supported")
            }
            item = try compile(items, path: "\(path)/items")
        }
        // Bounded repetitions copy the item; a rule keeps each copy to one node.
        if maximum != nil || minimum > 1 { item = .rule(builder.rule(item)) }
        return JSONGrammar.array(item: item, minimum: minimum, maximum: maximum)
    }

    private mutating func string(_ schema: SchemaValue, path: String) throws(SchemaError) -> GrammarExpression {
        let minimum = try count("minLength", in: schema, path: path) ?? 0
        let maximum = try count("maxLength", in: schema, path: path)
        if let maximum, maximum < minimum { throw .unsatisfiable(path: path, reason: "minLength \(minimum) is above maxLength \(maximum)") }
        if let pattern = schema["pattern"] {
            guard case let .string(pattern) = pattern else { throw .invalidValue(keyword: "pattern", path: path, expected: "a string") }
            if minimum > 0 || maximum != nil {
                throw .unsupportedKeyword("pattern", path: path, reason: "pattern together with minLength or maxLength is not supported")
            }
            let contents = try StringPattern.expression(for: pattern, path: path)
            return .sequence([JSONGrammar.quote, contents, JSONGrammar.quote])
        }
        if case let .string(format)? = schema["format"], let contents = StringFormats.expression(for: format) {
            return .sequence([JSONGrammar.quote, contents, JSONGrammar.quote])
        }
        return JSONGrammar.string(minimumLength: minimum, maximumLength: maximum)
    }

    private func integer(_ schema: SchemaValue, path: String) throws(SchemaError) -> GrammarExpression {
        var lower: Int64?
        var upper: Int64?
        func bound(_ keyword: String) throws(SchemaError) -> Double? {
            guard let value = schema[keyword] else { return nil }
            guard case let .number(number) = value else { throw .invalidValue(keyword: keyword, path: path, expected: "a number") }
            return number
        }
        let limit = Double(IntegerRange.largest)
        if let minimum = try bound("minimum") { lower = Int64(max(min(minimum.rounded(.up), limit), -limit)) }
        if let minimum = try bound("exclusiveMinimum") {
            let value = Int64(max(min((minimum + 1).rounded(.down), limit), -limit))
            lower = max(lower ?? value, value)
        }
        if let maximum = try bound("maximum") { upper = Int64(max(min(maximum.rounded(.down), limit), -limit)) }
        if let maximum = try bound("exclusiveMaximum") {
            let value = Int64(max(min((maximum - 1).rounded(.up), limit), -limit))
            upper = min(upper ?? value, value)
        }
        if lower == nil && upper == nil { return JSONGrammar.integer }
        if let lower, let upper, lower > upper {
            throw .unsatisfiable(path: path, reason: "no integer lies between the minimum and the maximum")
        }
        return IntegerRange.expression(lower: lower, upper: upper)
    }

    private func count(_ keyword: String, in schema: SchemaValue, path: String) throws(SchemaError) -> Int? {
        guard let value = schema[keyword] else { return nil }
        guard case let .number(number) = value, number >= 0, number == number.rounded() else {
            throw .invalidValue(keyword: keyword, path: path, expected: "a non-negative integer")
        }
        guard number <= Double(Self.largestCount) else {
            throw .unsupportedKeyword(keyword, path: path, reason: "values above \(Self.largestCount) are not supported")
        }
        return Int(number)
    }

    // MARK: References

    /// The rule for a local reference; declared before its target is compiled, so recursive
    /// schemas (a tree whose children are trees) refer back to it.
    private mutating func resolve(_ reference: String, path: String) throws(SchemaError) -> GrammarRuleID {
        if let rule = references[reference] { return rule }
        // A chain of references that only lead to each other describes no value.
        var seen: Set<String> = [reference]
        var target = try lookUp(reference, path: path)
        while case let .string(next)? = target[("$ref")] {
            guard seen.insert(next).inserted else { throw .unsatisfiable(path: path, reason: "the references \(seen.sorted().joined(separator: ", ")) only refer to each other") }
            target = try lookUp(next, path: path)
        }
        let rule = builder.declareRule()
        references[reference] = rule
        builder.define(rule, as: try compile(try lookUp(reference, path: path), path: reference))
        return rule
    }

    private func lookUp(_ reference: String, path: String) throws(SchemaError) -> SchemaValue {
        guard reference.hasPrefix("#") else { throw .unresolvedReference(reference, path: path) }
        var node = root
        for token in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let name = token.replacingTildeEscapes()
            switch node {
            case let .object(members):
                guard let next = members.last(where: { $0.key == name })?.value else { throw .unresolvedReference(reference, path: path) }
                node = next
            case let .array(values):
                guard let index = Int(name), values.indices.contains(index) else { throw .unresolvedReference(reference, path: path) }
                node = values[index]
            default:
                throw .unresolvedReference(reference, path: path)
            }
        }
        return node
    }

    static func pointerEscaped(_ name: String) -> String {
        var result = ""
        for character in name {
            switch character {
            case "~": result += "~0"
            case "/": result += "~1"
            default: result.append(character)
            }
        }
        return result
    }
}

private extension Substring {
    /// JSON pointer unescaping (RFC 6901 §4): `~1` is `/`, then `~0` is `~`.
    func replacingTildeEscapes() -> String {
        var result = ""
        var iterator = makeIterator()
        while let character = iterator.next() {
            guard character == "~" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "1"?: result.append("/")
            case "0"?: result.append("~")
            case let other?: result.append("~"); result.append(other)
            case nil: result.append("~")
            }
        }
        return result
    }
}
