import Foundation
import OllamaAPI
import Runtime

/// `axllama run` in client mode: when a server answers at `OLLAMA_HOST`, the conversation goes
/// through `/api/chat` (as `ollama run` does), so the model the server already holds is used
/// instead of loading a second copy in this process.
struct RemoteChat {
    let client: OllamaClient
    let model: String
    let options: [String: JSONValue]
    let verbose: Bool
    private var history: [Message] = []

    /// A chat against a running server, or nil when none answers (or `model` is a file path,
    /// which only an in-process run can open).
    static func connect(model: String, options: ModelOptions, verbose: Bool) async -> RemoteChat? {
        if model.hasSuffix(".gguf") || model.contains("/") && FileManager.default.fileExists(atPath: model) { return nil }
        let client = OllamaClient()
        guard let heartbeat = try? await client.send("HEAD", "/"), heartbeat.head.status == 200 else { return nil }
        var values: [String: JSONValue] = [:]
        if let value = options.temperature { values["temperature"] = .number(Double(value)) }
        if let value = options.seed { values["seed"] = .number(Double(value)) }
        if let value = options.numPredict { values["num_predict"] = .number(Double(value)) }
        if let value = options.contextLength { values["num_ctx"] = .number(Double(value)) }
        return RemoteChat(client: client, model: model, options: values, verbose: verbose)
    }

    /// Sends `text` as the next user turn and prints the answer as it streams.
    mutating func reply(to text: String) async throws {
        history.append(Message(role: "user", content: text))
        var request = ChatRequest(model: model, messages: history, options: options)
        request.stream = true
        var answer = ""
        var final: ChatResponse?
        for try await chunk in client.stream("/api/chat", request, as: ChatResponse.self) {
            answer += chunk.message.content
            TerminalOutput.write(chunk.message.content)
            if chunk.done { final = chunk }
        }
        history.append(Message(role: "assistant", content: answer))
        if verbose, let final {
            var metrics = GenerationMetrics()
            metrics.totalDuration = UInt64(final.metrics.totalDuration)
            metrics.loadDuration = UInt64(final.metrics.loadDuration)
            metrics.promptEvalCount = final.metrics.promptEvalCount
            metrics.promptEvalDuration = UInt64(final.metrics.promptEvalDuration)
            metrics.evalCount = final.metrics.evalCount
            metrics.evalDuration = UInt64(final.metrics.evalDuration)
            TerminalOutput.write("\n")
            TerminalOutput.writeError(VerboseTimings(metrics).text)
        }
    }

    mutating func clear() { history.removeAll() }

    /// One answer for a prompt, or the interactive loop with the same commands as in-process runs.
    mutating func run(prompt: String?) async throws {
        if let prompt {
            try await reply(to: prompt)
            TerminalOutput.write("\n")
            return
        }
        while let line = InteractiveInput.readMessage() {
            switch line.trimmingCharacters(in: .whitespaces) {
            case "": continue
            case "/bye", "/exit": return
            case "/clear":
                clear()
                TerminalOutput.write("Cleared session context\n")
                continue
            default:
                try await reply(to: line)
                TerminalOutput.write("\n\n")
            }
        }
    }
}
