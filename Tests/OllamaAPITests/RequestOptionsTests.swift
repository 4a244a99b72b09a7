import OllamaAPI
import Testing

@Suite struct RequestOptionsTests {
    @Test func typedValuesAreRead() throws {
        let options = try RequestOptions(map: [
            "temperature": .number(0.2), "top_k": .number(12.9), "stop": .array([.string("\n")]), "num_ctx": .number(512),
            "use_mmap": .bool(false), "mirostat": .number(1), "nonsense": .string("x"),
        ])
        #expect(options.temperature == 0.2)
        #expect(options.topK == 12)
        #expect(options.stop == ["\n"])
        #expect(options.numCtx == 512)
        #expect(options.useMMap == false)
        #expect(options.seed == nil)
    }

    @Test func typeErrorsUseOllamaWording() {
        #expect(throws: WireDecodingError.invalidValue(#"option "temperature" must be of type float32"#)) {
            try RequestOptions(map: ["temperature": .string("hot")])
        }
        #expect(throws: WireDecodingError.invalidValue(#"option "top_k" must be of type integer"#)) {
            try RequestOptions(map: ["top_k": .string("40")])
        }
        #expect(throws: WireDecodingError.invalidValue(#"option "stop" must be of type array"#)) {
            try RequestOptions(map: ["stop": .string("x")])
        }
        #expect(throws: WireDecodingError.invalidValue(#"option "stop" must be of an array of strings"#)) {
            try RequestOptions(map: ["stop": .array([.number(1)])])
        }
    }

    @Test func requestValuesOverrideModelParameters() throws {
        let model = try RequestOptions(map: ["temperature": .number(0.1), "stop": .array([.string("a")])])
        let request = try RequestOptions(map: ["temperature": .number(0.9)])
        let merged = request.overriding(model)
        #expect(merged.temperature == 0.9)
        #expect(merged.stop == ["a"])
    }
}
