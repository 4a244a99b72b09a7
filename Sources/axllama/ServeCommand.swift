import ArgumentParser
import Foundation
import Logging
import NPUEngine
import Runtime
import Server
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Start the Ollama-compatible server.",
        discussion: """
        Every setting is an environment variable (Ollama's keep their meaning) and a flag below; a flag wins over \
        its variable. All settings are printed once at start, the API key masked. GET /health answers 200 when ready \
        and 503 with the reason otherwise; GET /metrics is in Prometheus text format. SIGTERM drains: requests in \
        flight may finish within AXLLAMA_SHUTDOWN_GRACE, streams still running then end with a final error line, \
        models unload and the process exits 0. Under systemd Type=notify (NOTIFY_SOCKET), READY=1 is sent after the \
        preload, STATUS= lines as health changes, WATCHDOG=1 at half of WATCHDOG_USEC while no device is wedged or \
        failed, and STOPPING=1 on shutdown. \
        NPU model packages are registered with a Modelfile `FROM <package directory>`, or found at start in \
        <models>/packages/<name>/ and listed as <name>:latest; they run on the card found through AXLLAMA_AXCL_LIBRARY.
        """
    )

    @OptionGroup var flags: ServeFlags

    func run() async throws {
        let environment = flags.applied(to: ProcessInfo.processInfo.environment)
        let settings: ServerSettings
        do {
            settings = try ServerSettings.fromEnvironment(environment)
        } catch {
            throw ValidationError("\(error)")
        }
        let operations = settings.operations
        let journald = environment["JOURNAL_STREAM"].map { !$0.isEmpty } ?? false
        let level = Logger.Level(rawValue: operations.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            LogLineHandler(label: label, format: operations.logFormat == .json ? .json : .plain(journald: journald), level: level)
        }
        let logger = Logger(label: "axllama")
        for line in SettingCatalogue.describe(environment) { logger.info("config: \(line)") }

        let store = ModelStore(root: ModelStore.defaultRoot(environment: environment))
        // GGUF files run on the CPU; NPU model packages on the card, opened on first use.
        let cards = NPUCards(environment: environment, report: { logger.info("\($0)") })
        // The loader refuses a load that would leave less than AXLLAMA_CMM_FLOOR_MIB of CMM free.
        let loader = ModelLoader(store: store, factories: [CPUEngineFactory(), NPUEngineFactory(cards: cards, options: NPUEngineOptions(settings: settings))])
        let packageReader = NPUPackageReader()
        let models = ModelService(store: store, settings: settings, fallback: FallbackPolicy.fromEnvironment(environment),
                                  packageReader: packageReader, report: { logger.info("\($0)") }) { stored, options in
            try await loader.load(stored.weights, options: options)
        }
        models.observability.health.register(OpenedCardsMonitor(cards: cards))
        logger.info("model store: \(store.root.path)")
        PackageDirectoryScan(store: store, reader: packageReader).registerNewPackages { logger.info("\($0)") }
        let lifecycle = ServingLifecycle(models: models, notifier: SystemdNotifier(environment: environment), logger: logger)
        let app = buildApplication(models: models, logger: logger) { port in
            logger.info("Listening on \(settings.address.host):\(port) (version \(settings.reportedVersion))")
            lifecycle.listening(on: port)
        }
        // SIGTERM/SIGINT: the lifecycle (last listed, first told) starts the drain; then the
        // application stops accepting and waits for the requests in flight.
        let grace = Duration.seconds(operations.shutdownGraceSeconds)
        var configuration = ServiceGroupConfiguration(services: [app, lifecycle], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = grace
        configuration.maximumCancellationDuration = .seconds(2)
        try await ServiceGroup(configuration: configuration).run()
        // The last seconds of the grace period (see ServingLifecycle.generationAllowance): models
        // unload, busy ones once their final line is out, then the cards are given back.
        await models.scheduler.shutdown()
        if !(await models.scheduler.waitUntilUnloaded(timeout: .seconds(3))) {
            logger.warning("shutdown: a model did not unload within 3 s (its request is stuck in an engine call)")
        }
        let cardsOpen = await cards.openedPool() != nil
        for problem in await cards.release(timeout: .seconds(2)) { logger.warning("shutdown: \(problem)") }
        logger.info(cardsOpen ? "stopped: models unloaded, NPU cards released" : "stopped: models unloaded")
    }
}
