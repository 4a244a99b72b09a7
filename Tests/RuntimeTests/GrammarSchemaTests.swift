import Testing
@testable import Runtime

@Suite struct GrammarSchemaTests {
    func probe(_ schema: String) throws -> GrammarProbe {
        GrammarProbe(try Grammar.jsonSchema(text: schema))
    }

    let person = """
        {"type": "object", "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "email": {"type": "string"}
        }, "required": ["name", "age"]}
        """

    @Test func propertiesComeInDeclaredOrderAndOptionalOnesMayBeLeftOut() throws {
        let grammar = try probe(person)
        #expect(grammar.accepts(#"{"name":"Ada","age":36,"email":"a@b.c"}"#))
        #expect(grammar.accepts(#"{"name":"Ada","age":36}"#))
        #expect(grammar.accepts(#"{ "name" : "Ada" , "age" : 36 }"#))
        #expect(!grammar.accepts(#"{"age":36,"name":"Ada"}"#))
    }

    @Test func missingRequiredPropertiesAreRejected() throws {
        let grammar = try probe(person)
        #expect(!grammar.accepts(#"{"name":"Ada"}"#))
        #expect(!grammar.accepts(#"{"age":36}"#))
        #expect(!grammar.accepts("{}"))
        #expect(!grammar.isPrefix(#"{"name":"Ada"}"#))
    }

    @Test func wrongValueTypesAreRejected() throws {
        let grammar = try probe(person)
        #expect(!grammar.isPrefix(#"{"name":1"#))
        #expect(!grammar.accepts(#"{"name":"Ada","age":36.5}"#))
        #expect(!grammar.accepts(#"{"name":"Ada","age":"36"}"#))
    }

    @Test func extraPropertiesAreRefusedByDefaultWhenPropertiesAreListed() throws {
        #expect(!(try probe(person)).isPrefix(#"{"name":"Ada","age":36,"x"#))
        let closed = try probe(#"{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}"#)
        #expect(closed.accepts(#"{"a":1}"#))
        #expect(!closed.isPrefix(#"{"b"#))
    }

    @Test func additionalPropertiesAllowOtherKeysAfterTheDeclaredOnes() throws {
        let open = try probe(#"{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":{"type":"boolean"}}"#)
        #expect(open.accepts(#"{"a":1,"x":true,"y":false}"#))
        #expect(open.accepts(#"{"x":true}"#))
        #expect(open.accepts(#"{"ab":true}"#))
        #expect(!open.accepts(#"{"a":1,"x":1}"#))
        // A declared name cannot come back as an additional one.
        #expect(!open.accepts(#"{"a":1,"a":true}"#))
        let anything = try probe(#"{"type":"object"}"#)
        #expect(anything.accepts(#"{"k":[1,{"z":null}],"j":"s"}"#))
    }

    @Test func enumAndConstAllowExactlyTheirValues() throws {
        let colour = try probe(#"{"enum":["red","green","blue",7,null]}"#)
        for text in [#""red""#, #""green""#, #""blue""#, "7", "null"] { #expect(colour.accepts(text)) }
        for text in [#""Red""#, #""gree""#, "8", #""redd""#, "true"] { #expect(!colour.accepts(text), "\(text)") }
        let fixed = try probe(#"{"const":{"kind":"lamp","on":true}}"#)
        #expect(fixed.accepts(#"{"kind":"lamp","on":true}"#))
        #expect(!fixed.accepts(#"{"kind":"lamp","on":false}"#))
    }

    @Test func typeUnionsAndAnyOfAcceptEachAlternative() throws {
        let union = try probe(#"{"type":["string","null"]}"#)
        #expect(union.accepts(#""x""#) && union.accepts("null") && !union.accepts("1"))
        let anyOf = try probe(#"{"anyOf":[{"type":"integer"},{"type":"array","items":{"type":"boolean"}}]}"#)
        #expect(anyOf.accepts("42") && anyOf.accepts("[true,false]") && !anyOf.accepts(#"["x"]"#))
    }

    @Test func arraysHonourItemsAndBounds() throws {
        let grammar = try probe(#"{"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":3}"#)
        #expect(!grammar.accepts("[]"))
        #expect(!grammar.accepts("[1]"))
        #expect(grammar.accepts("[1,2]"))
        #expect(grammar.accepts("[1, 2, 3]"))
        #expect(!grammar.isPrefix("[1,2,3,"))
        #expect(!grammar.accepts(#"[1,"2"]"#))
        let empty = try probe(#"{"type":"array","maxItems":0}"#)
        #expect(empty.accepts("[]") && !empty.isPrefix("[1"))
    }

    @Test func stringLengthsAreCountedInCharacters() throws {
        let grammar = try probe(#"{"type":"string","minLength":2,"maxLength":3}"#)
        #expect(!grammar.accepts(#""a""#))
        #expect(grammar.accepts(#""ab""#))
        #expect(grammar.accepts(#""a世🙂""#))
        #expect(grammar.accepts(#""\n\t""#))
        #expect(!grammar.isPrefix(#""abcd"#))
    }

    @Test func integerBoundsAreEnforcedDigitByDigit() throws {
        let grammar = try probe(#"{"type":"integer","minimum":-5,"maximum":255}"#)
        for value in [-5, -1, 0, 9, 10, 99, 100, 199, 200, 249, 250, 255] { #expect(grammar.accepts(String(value)), "\(value)") }
        for text in ["-6", "256", "300", "1000", "-0", "007", "-10"] { #expect(!grammar.accepts(text), "\(text)") }
        #expect(!grammar.isPrefix("260") && grammar.isPrefix("25"))
        let exclusive = try probe(#"{"type":"integer","exclusiveMinimum":10,"exclusiveMaximum":20}"#)
        #expect(!exclusive.accepts("10") && exclusive.accepts("11") && exclusive.accepts("19") && !exclusive.accepts("20"))
        let open = try probe(#"{"type":"integer","minimum":100}"#)
        #expect(open.accepts("100") && open.accepts("12345") && !open.accepts("99") && !open.accepts("-100"))
        let negative = try probe(#"{"type":"integer","maximum":-10}"#)
        #expect(negative.accepts("-10") && negative.accepts("-99999") && !negative.accepts("-9") && !negative.accepts("0"))
    }

    @Test func integerRangesMatchArithmeticExhaustively() throws {
        for (lower, upper) in [(0, 0), (3, 7), (0, 100), (17, 342), (-120, -3), (-7, 12), (95, 1005)] {
            let grammar = try probe(#"{"type":"integer","minimum":\#(lower),"maximum":\#(upper)}"#)
            for value in -1100 ... 1100 {
                #expect(grammar.accepts(String(value)) == (lower ... upper).contains(value), "\(value) in \(lower)...\(upper)")
            }
        }
    }

    @Test func referencesResolveIncludingRecursion() throws {
        let tree = try probe("""
            {"$ref": "#/$defs/node", "$defs": {"node": {"type": "object", "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}
            }, "required": ["name"]}}}
            """)
        #expect(tree.accepts(#"{"name":"root","children":[{"name":"a"},{"name":"b","children":[{"name":"c","children":[]}]}]}"#))
        #expect(!tree.accepts(#"{"name":"root","children":[{"nam":"a"}]}"#))
        let old = try probe(##"{"definitions":{"flag":{"type":"boolean"}},"type":"array","items":{"$ref":"#/definitions/flag"}}"##)
        #expect(old.accepts("[true,false]") && !old.accepts("[1]"))
    }

    @Test func simplePatternsAndFormatsConstrainStrings() throws {
        let code = try probe(#"{"type":"string","pattern":"^[A-Z]{2}-\\d{3}$"}"#)
        #expect(code.accepts(#""AB-123""#))
        #expect(!code.accepts(#""Ab-123""#) && !code.accepts(#""AB-12""#) && !code.isPrefix(#""AB-1234"#))
        let unanchored = try probe(#"{"type":"string","pattern":"cat|dog"}"#)
        #expect(unanchored.accepts(#""a dog!""#) && !unanchored.accepts(#""a bird""#))
        let date = try probe(#"{"type":"string","format":"date"}"#)
        #expect(date.accepts(#""2024-02-29""#) && !date.accepts(#""2024-13-01""#))
        let uuid = try probe(#"{"type":"string","format":"uuid"}"#)
        #expect(uuid.accepts(#""123e4567-e89b-12d3-a456-426614174000""#) && !uuid.accepts(#""123""#))
        let other = try probe(#"{"type":"string","format":"email"}"#)
        #expect(other.accepts(#""anything""#))
    }

    @Test func unsupportedKeywordsAreNamedInTheError() {
        func error(_ schema: String) -> SchemaError? {
            do {
                _ = try Grammar.jsonSchema(text: schema)
                return nil
            } catch {
                return error
            }
        }
        #expect(error(##"{"type":"object","patternProperties":{}}"##) == .unsupportedKeyword("patternProperties", path: "#"))
        #expect(error(##"{"properties":{"a":{"type":"array","uniqueItems":true}}}"##) == .unsupportedKeyword("uniqueItems", path: "#/properties/a"))
        #expect(error(##"{"not":{}}"##) == .unsupportedKeyword("not", path: "#"))
        if case let .unsupportedKeyword(keyword, _, _)? = error(#"{"type":"number","minimum":0}"#) { #expect(keyword == "minimum") } else { Issue.record("number bounds must be refused") }
        if case let .unsupportedKeyword(keyword, _, _)? = error(#"{"allOf":[{},{}]}"#) { #expect(keyword == "allOf") } else { Issue.record("allOf with two schemas must be refused") }
        if case let .unsupportedKeyword(keyword, _, _)? = error(#"{"type":"string","pattern":"(a)\\1"}"#) { #expect(keyword == "pattern") } else { Issue.record("backreferences must be refused") }
        if case let .unsupportedKeyword(keyword, _, _)? = error(#"{"type":"string","pattern":"(?=a)"}"#) { #expect(keyword == "pattern") } else { Issue.record("lookahead must be refused") }
        if case let .unsupportedKeyword(keyword, _, _)? = error(#"{"type":"array","items":[{"type":"string"}]}"#) { #expect(keyword == "items") } else { Issue.record("tuple items must be refused") }
        #expect(error(##"{"$ref":"https://example.com/s.json"}"##) == .unresolvedReference("https://example.com/s.json", path: "#"))
        #expect(error(##"{"$ref":"#/$defs/missing"}"##) == .unresolvedReference("#/$defs/missing", path: "#"))
        #expect(error(#"{"type":"strin"}"#) != nil)
        #expect(error(##"{"type":"array","minItems":3,"maxItems":2}"##) == .unsatisfiable(path: "#", reason: "minItems 3 is above maxItems 2"))
        #expect(error(##"{"enum":[]}"##) == .unsatisfiable(path: "#", reason: "enum is empty"))
        #expect(error(##"{"required":"a"}"##) == .invalidValue(keyword: "required", path: "#", expected: "an array of property names"))
        #expect(error(#"{"type":"object""#) != nil)
        if case .unsatisfiable? = error(##"{"$ref":"#/$defs/a","$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}}}"##) {} else { Issue.record("a reference cycle must be refused") }
    }

    @Test func errorsReadAsSentencesNamingTheKeyword() {
        let error = SchemaError.unsupportedKeyword("uniqueItems", path: "#/properties/a")
        #expect(error.description == "format schema keyword \"uniqueItems\" at #/properties/a is not supported")
    }

    @Test func annotationsAreIgnored() throws {
        let grammar = try probe(#"{"$schema":"https://json-schema.org/draft/2020-12/schema","title":"T","description":"d","type":"boolean","default":true,"examples":[true]}"#)
        #expect(grammar.accepts("true") && !grammar.accepts("1"))
    }

    @Test func schemaTextKeepsMemberOrder() throws {
        let value = try SchemaValue(parsing: #"{"z":1,"a":[true,null,"\u00e9\ud83d\ude00"],"m":{"k":-1.5e2}}"#)
        #expect(value.members?.map(\.key) == ["z", "a", "m"])
        #expect(value.jsonText == #"{"z":1,"a":[true,null,"é😀"],"m":{"k":-150}}"#)
    }
}
