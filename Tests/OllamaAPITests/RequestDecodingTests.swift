import Foundation
import OllamaAPI
import Testing

@Suite struct RequestDecodingTests {
    @Test func unknownFieldsAreIgnored() throws {
        let request = try WireCoding.decode(GenerateRequest.self, from: Data(#"{"model":"m","prompt":"hi","whatever":[1,2]}"#.utf8))
        #expect(request.model == "m")
        #expect(request.prompt == "hi")
        #expect(request.stream == nil)
    }

    @Test func wrongTypeNamesTheFieldAsGoDoes() {
        do {
            _ = try WireCoding.decode(GenerateRequest.self, from: Data(#"{"model":"m","stream":"yes"}"#.utf8))
            Issue.record("decoding should fail")
        } catch {
            #expect("\(error)".contains("GenerateRequest.stream of type bool"))
        }
    }

    @Test func chatRolesAreLowerCased() throws {
        let request = try WireCoding.decode(ChatRequest.self, from: Data(#"{"model":"m","messages":[{"role":"User","content":"x"}],"tools":[]}"#.utf8))
        #expect(request.messages?.first?.role == "user")
        #expect(request.tools == [])
    }

    @Test func thinkAcceptsBooleansAndLevelsOnly() throws {
        #expect(try WireCoding.decode(ChatRequest.self, from: Data(#"{"think":true}"#.utf8)).think == .enabled(true))
        #expect(try WireCoding.decode(ChatRequest.self, from: Data(#"{"think":"low"}"#.utf8)).think == .level("low"))
        #expect(throws: WireDecodingError.invalidValue(#"invalid think value: "x" (must be "high", "medium", "low", "max", true, or false)"#)) {
            try WireCoding.decode(ChatRequest.self, from: Data(#"{"think":"x"}"#.utf8))
        }
    }

    @Test func embedInputIsStringOrStrings() throws {
        #expect(try WireCoding.decode(EmbedRequest.self, from: Data(#"{"input":"a"}"#.utf8)).input?.texts == ["a"])
        #expect(try WireCoding.decode(EmbedRequest.self, from: Data(#"{"input":["a","b"]}"#.utf8)).input?.texts == ["a", "b"])
        #expect(try WireCoding.decode(EmbedRequest.self, from: Data(#"{"input":""}"#.utf8)).input?.texts == [])
        #expect(throws: WireDecodingError.invalidValue("invalid input type")) {
            try WireCoding.decode(EmbedRequest.self, from: Data(#"{"input":5}"#.utf8))
        }
    }

    @Test func formatIsJSONOrSchemaObject() throws {
        #expect(try OutputFormat.from(.string("json")) == .json)
        #expect(try OutputFormat.from(.string("")) == nil)
        #expect(try OutputFormat.from(nil) == nil)
        #expect(try OutputFormat.from(.object([("type", .string("object"))])) == .schema(.object([("type", .string("object"))])))
        #expect(throws: WireDecodingError.self) { try OutputFormat.from(.string("xml")) }
    }

    @Test func showAcceptsDeprecatedName() throws {
        #expect(try WireCoding.decode(ShowRequest.self, from: Data(#"{"name":"a"}"#.utf8)).modelName == "a")
        #expect(try WireCoding.decode(ShowRequest.self, from: Data(#"{"model":"b","name":"a"}"#.utf8)).modelName == "b")
        #expect(try WireCoding.decode(ShowRequest.self, from: Data(#"{}"#.utf8)).modelName == nil)
    }

    @Test func openAIStopIsStringOrArray() throws {
        #expect(try WireCoding.decode(CompletionRequest.self, from: Data(#"{"stop":"x"}"#.utf8)).stop?.values == ["x"])
        #expect(try WireCoding.decode(CompletionRequest.self, from: Data(#"{"stop":["x","y"]}"#.utf8)).stop?.values == ["x", "y"])
        #expect(throws: WireDecodingError.self) { try WireCoding.decode(CompletionRequest.self, from: Data(#"{"stop":5}"#.utf8)) }
    }

    @Test func openAIEmbeddingInputRules() throws {
        func texts(_ json: String) throws -> [String] {
            try WireCoding.decode(OpenAIEmbeddingRequest.self, from: Data(json.utf8)).texts()
        }
        #expect(try texts(#"{"input":""}"#) == [""])
        #expect(try texts(#"{"input":["a","b"]}"#) == ["a", "b"])
        #expect(throws: WireDecodingError.invalidValue("invalid input")) { try texts(#"{"input":[]}"#) }
        #expect(throws: WireDecodingError.invalidValue("invalid input")) { try texts(#"{"input":null}"#) }
    }
}
