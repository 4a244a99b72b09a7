import Foundation
import OllamaAPI
import Runtime
import Testing
@testable import Server

/// OpenAI messages become the conversation the chat template sees.
struct OpenAIConversionTests {
    @Test func toolResultsGetTheNameOfTheFunctionTheirCallWentTo() throws {
        let json = #"""
        [{"role":"user","content":"Weather?"},
         {"role":"assistant","content":null,"reasoning":"Look it up.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Bern\",\"days\":2}"}}]},
         {"role":"tool","tool_call_id":"call_1","content":"sunny"}]
        """#
        let messages = try WireCoding.decode([OpenAIMessage].self, from: Data(json.utf8))
        let conversation = try OpenAIConversion.conversation(messages)
        #expect(conversation[1].thinking == "Look it up.")
        #expect(conversation[1].toolCalls.map(\.name) == ["get_weather"])
        #expect(conversation[1].toolCalls.first?.arguments.keys == ["city", "days"])
        #expect(conversation[2].role == "tool" && conversation[2].toolName == "get_weather" && conversation[2].toolCallID == "call_1")
    }

    @Test func reasoningEffortNoneTurnsThinkingOff() {
        #expect(OpenAIConversion.think(effort: nil) == nil)
        #expect(OpenAIConversion.think(effort: "none") == false)
        #expect(OpenAIConversion.think(effort: "high") == true)
    }

    @Test func argumentsAreCompactJSONInTheModelsOrder() {
        let call = ParsedToolCall(name: "f", arguments: ["z": .int(1), "a": .string("é")])
        #expect(ToolCallConversion.argumentsText(call) == #"{"z":1,"a":"é"}"#)
    }
}
