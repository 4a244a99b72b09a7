import ArgumentParser

@main
struct Axllama: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "axllama",
        abstract: "An Ollama-compatible LLM server for Axera NPU cards, with a CPU engine for GGUF models.",
        subcommands: [
            ServeCommand.self, RunCommand.self, ListCommand.self, PsCommand.self, ShowCommand.self, CreateCommand.self,
            CopyCommand.self, RemoveCommand.self, StopCommand.self, PullCommand.self, BenchCommand.self,
            ConvertCommand.self, DoctorCommand.self,
        ]
    )
}
