import ArgumentParser
import Foundation
import Runtime

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Chat with a model: one answer when a prompt is given, an interactive session otherwise."
    )

    @Argument(help: "A model name from the store (e.g. smollm2:135m) or a path to a .gguf file.")
    var model: String

    @Argument(help: "The prompt; without one, an interactive session starts.")
    var prompt: [String] = []

    @Flag(help: "Print timings after each answer, as `ollama run --verbose` does.")
    var verbose = false

    @OptionGroup var modelOptions: ModelOptions

    func run() async throws {
        if var remote = await RemoteChat.connect(model: model, options: modelOptions, verbose: verbose) {
            return try await remote.run(prompt: prompt.isEmpty ? nil : prompt.joined(separator: " "))
        }
        let loadStart = MonotonicClock.nanoseconds()
        let session: ModelSession
        do {
            session = try await ModelLoader(store: ModelStore(root: ModelStore.defaultRoot()), factory: CPUEngineFactory())
                .load(model, options: modelOptions.loadOptions)
        } catch {
            throw ValidationError("cannot load \(model): \(error)")
        }
        let loadDuration = MonotonicClock.nanoseconds() - loadStart

        var conversation = ChatConversation(session: session, options: modelOptions.samplingOptions)
        if !prompt.isEmpty {
            let metrics = try await conversation.reply(to: prompt.joined(separator: " "), output: TerminalOutput.write)
            TerminalOutput.write("\n")
            if verbose { printTimings(metrics, loadDuration: loadDuration) }
            return
        }
        try await interactive(&conversation, loadDuration: loadDuration)
    }

    private func interactive(_ conversation: inout ChatConversation, loadDuration: UInt64) async throws {
        var firstAnswer = true
        while let line = InteractiveInput.readMessage() {
            switch line.trimmingCharacters(in: .whitespaces) {
            case "": continue
            case "/bye", "/exit": return
            case "/clear":
                conversation.clear()
                TerminalOutput.write("Cleared session context\n")
                continue
            case "/?", "/help":
                TerminalOutput.write("Available commands:\n  /clear  forget the conversation\n  /bye    exit\nUse \"\"\" to begin and end a multi-line message.\n")
                continue
            default: break
            }
            let metrics = try await conversation.reply(to: line, output: TerminalOutput.write)
            TerminalOutput.write("\n\n")
            if verbose { printTimings(metrics, loadDuration: firstAnswer ? loadDuration : 0) }
            firstAnswer = false
        }
    }

    private func printTimings(_ metrics: GenerationMetrics, loadDuration: UInt64) {
        var metrics = metrics
        metrics.loadDuration = loadDuration
        metrics.totalDuration += loadDuration
        TerminalOutput.writeError(VerboseTimings(metrics).text)
    }
}
