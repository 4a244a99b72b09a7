import ArgumentParser
import Foundation
import Logging
import Runtime
import Server

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Start the Ollama-compatible server.",
        discussion: """
        Environment (Ollama's meaning): OLLAMA_HOST (127.0.0.1:11434), OLLAMA_MODELS, OLLAMA_KEEP_ALIVE (5m),
        OLLAMA_MAX_LOADED_MODELS (3), OLLAMA_MAX_QUEUE (512), OLLAMA_ORIGINS, OLLAMA_CONTEXT_LENGTH (4096).
        axllama's own: AXLLAMA_PRELOAD and AXLLAMA_PIN (comma-separated model names), AXLLAMA_API_KEY,
        AXLLAMA_MAX_BODY (bytes).
        """
    )

    @Option(help: "Address to listen on (overrides OLLAMA_HOST), e.g. 0.0.0.0:11434.")
    var host: String?

    @Option(help: "Load this model at start (repeatable; adds to AXLLAMA_PRELOAD).")
    var preload: [String] = []

    @Option(help: "Keep this model resident for ever, never evicted (repeatable; adds to AXLLAMA_PIN).")
    var pin: [String] = []

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        if let host { environment["OLLAMA_HOST"] = host }
        func append(_ key: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            environment[key] = ((environment[key].map { [$0] } ?? []) + values).joined(separator: ",")
        }
        append("AXLLAMA_PRELOAD", preload)
        append("AXLLAMA_PIN", pin)
        let settings: ServerSettings
        do {
            settings = try ServerSettings.fromEnvironment(environment)
        } catch {
            throw ValidationError("\(error)")
        }

        var logger = Logger(label: "axllama")
        logger.logLevel = environment["OLLAMA_DEBUG"].map { ["1", "true"].contains($0.lowercased()) } == true ? .debug : .info
        let store = ModelStore(root: ModelStore.defaultRoot(environment: environment))
        let loader = ModelLoader(store: store, factory: CPUEngineFactory())
        let log = logger
        let models = ModelService(store: store, settings: settings, fallback: FallbackPolicy.fromEnvironment(environment),
                                  report: { log.info("\($0)") }) { stored, options in
            try loader.load(stored.modelFile.path, options: options)
        }
        log.info("model store: \(store.root.path)")
        let app = buildApplication(models: models, logger: logger) { port in
            log.info("Listening on \(settings.address.host):\(port) (version \(settings.reportedVersion))")
            await models.preload { log.info("\($0)") }
        }
        // Stops on SIGINT/SIGTERM: no new connections, streams in flight finish, then models unload.
        try await app.runService()
        await models.scheduler.shutdown()
        log.info("stopped")
    }
}
