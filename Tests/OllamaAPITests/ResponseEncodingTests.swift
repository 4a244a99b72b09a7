import Foundation
import OllamaAPI
import Testing

@Suite struct ResponseEncodingTests {
    private func text<Value: Encodable>(_ value: Value) -> String { String(decoding: WireCoding.encode(value), as: UTF8.self) }

    @Test func streamingChunkHasNoMetricsOrDoneReason() {
        let chunk = GenerateResponse(model: "m", createdAt: WireTimestamp(seconds: 0), response: "", done: false)
        #expect(text(chunk) == #"{"created_at":"1970-01-01T00:00:00Z","done":false,"model":"m","response":""}"#)
    }

    @Test func finalChunkOmitsZeroMetrics() {
        let final = GenerateResponse(model: "m", createdAt: WireTimestamp(seconds: 0), response: "", done: true, doneReason: "stop",
                                     context: [1, 2], metrics: Metrics(totalDuration: 5, loadDuration: 1, evalCount: 2, evalDuration: 3))
        #expect(text(final) == #"{"context":[1,2],"created_at":"1970-01-01T00:00:00Z","done":true,"done_reason":"stop","eval_count":2,"eval_duration":3,"load_duration":1,"model":"m","response":"","total_duration":5}"#)
    }

    @Test func chatChunkAlwaysCarriesMessageWithRole() {
        let chunk = ChatResponse(model: "m", createdAt: WireTimestamp(seconds: 0), message: Message(role: "assistant", content: ""), done: true, doneReason: "load")
        #expect(text(chunk).contains(#""message":{"content":"","role":"assistant"}"#))
    }

    @Test func ndjsonLineEndsWithOneNewline() {
        let line = WireCoding.line(ErrorResponse(error: "boom"))
        #expect(String(decoding: line, as: UTF8.self) == "{\"error\":\"boom\"}\n")
    }

    @Test func detailsAlwaysWriteTheirBaseFields() {
        let details = ModelDetails(format: "gguf", family: "llama", families: nil, parameterSize: "135M", quantizationLevel: "Q4_1")
        #expect(text(details) == #"{"families":null,"family":"llama","format":"gguf","parameter_size":"135M","parent_model":"","quantization_level":"Q4_1"}"#)
    }

    @Test func openAIChunkWritesNullFinishReason() {
        let chunk = ChatCompletionChunk(id: "chatcmpl-1", created: 7, model: "m",
                                        choices: [.init(delta: ChatCompletionMessage(role: "assistant", content: ""), finishReason: nil)])
        #expect(text(chunk) == #"{"choices":[{"delta":{"content":"","role":"assistant"},"finish_reason":null,"index":0}],"created":7,"id":"chatcmpl-1","model":"m","object":"chat.completion.chunk","system_fingerprint":"fp_ollama"}"#)
    }

    @Test func openAIErrorTypeFollowsStatus() {
        #expect(text(OpenAIErrorResponse(status: 404, message: "model 'x' not found")) ==
            #"{"error":{"code":null,"message":"model 'x' not found","param":null,"type":"not_found_error"}}"#)
        #expect(OpenAIErrorResponse(status: 400, message: "").error.type == "invalid_request_error")
        #expect(OpenAIErrorResponse(status: 500, message: "").error.type == "api_error")
    }

    @Test func emptyModelListIsNullData() {
        #expect(text(OpenAIModelList(data: [])) == #"{"data":null,"object":"list"}"#)
    }

    @Test func embeddingFloatsKeepTheirShortForm() {
        #expect(text(EmbedResponse(model: "m", embeddings: [[0.1, -0.25]])) == #"{"embeddings":[[0.1,-0.25]],"model":"m"}"#)
    }
}
