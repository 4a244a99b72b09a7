import Logging
import Runtime
import ServiceLifecycle
import Synchronization

/// The server's life as a swift-service-lifecycle `Service`, run beside the HTTP application:
/// once the port is bound it loads the preload list, then declares itself ready (health `ok`,
/// systemd `READY=1`); while running it polls health for the status log, the metrics and the
/// systemd watchdog; on graceful shutdown (SIGTERM) it turns health to `draining`, tells systemd
/// `STOPPING=1`, and gives generations in flight most of the grace period before ending them
/// with a final line, so that the application's own drain finishes within the grace period.
public final class ServingLifecycle: Service, Sendable {
    let models: ModelService
    let notifier: SystemdNotifier
    let logger: Logger
    let pollInterval: Duration
    private let port = AsyncStream<Int>.makeStream()

    public init(models: ModelService, notifier: SystemdNotifier, logger: Logger, pollInterval: Duration = .seconds(1)) {
        self.models = models
        self.notifier = notifier
        self.logger = logger
        // Watchdog pings go out at least at half of WATCHDOG_USEC (sd_watchdog_enabled(3)).
        self.pollInterval = notifier.watchdogInterval.map { min($0, pollInterval) } ?? pollInterval
    }

    /// Call when the HTTP server is listening.
    public func listening(on port: Int) {
        self.port.continuation.yield(port)
        self.port.continuation.finish()
    }

    /// The part of the grace period generations may keep running after SIGTERM: all of it but
    /// 3 s (for the final lines, the unload and the exit), and at least half of it.
    public static func generationAllowance(grace: Duration) -> Duration {
        max(grace / 2, grace - .seconds(3))
    }

    public func run() async throws {
        var bound: Int?
        for await value in port.stream {
            bound = value
            break
        }
        guard bound != nil else { return }
        let health = models.observability.health
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.start() }
            await self.watch()
            group.cancelAll()
        }
        // Graceful shutdown was asked for.
        health.enter(.draining)
        let grace = Duration.seconds(models.settings.operations.shutdownGraceSeconds)
        let allowance = Self.generationAllowance(grace: grace)
        logger.info("shutting down: generations in flight may run for \(allowance.components.seconds)s more")
        send("STOPPING=1\nSTATUS=draining: finishing the requests in flight")
        // Outlives this service: the application's own drain runs after this returns.
        let drain = models.observability.drain
        Task.detached {
            try? await Task.sleep(for: allowance)
            drain.stopAll()
        }
    }

    /// Preload, then ready.
    private func start() async {
        send("STATUS=loading the preload models")
        let logger = self.logger
        await models.preload { logger.info("\($0)") }
        guard !Task.isCancelled else { return }
        models.observability.health.enter(.serving)
        let report = await models.healthReport()
        send("READY=1\nSTATUS=\(Self.statusLine(report))")
        logger.info("ready", metadata: ["status": "\(report.isHealthy ? "ok" : "unavailable")"])
    }

    /// Polls health until a graceful shutdown: log entries on change, a summary every status
    /// interval, metric gauges, watchdog pings while alive, STATUS= when it changes.
    private func watch() async {
        var log = StatusLog(thresholds: models.observability.health.thresholds)
        let clock = ContinuousClock()
        let summaryInterval = Duration.seconds(models.settings.operations.statusIntervalSeconds)
        var lastSummary = clock.now
        var lastPing: ContinuousClock.Instant?
        var lastStatus = ""
        while true {
            let report = await models.healthReport()
            models.observability.metrics.residency(models: report.models, uptimeSeconds: report.uptimeSeconds)
            models.observability.metrics.devices(report.devices)
            for entry in log.observe(report) { emit(entry) }
            if lastSummary.duration(to: clock.now) >= summaryInterval {
                emit(log.summary(report))
                lastSummary = clock.now
            }
            var message: [String] = []
            if let interval = notifier.watchdogInterval, Self.isAlive(report),
               lastPing.map({ $0.duration(to: clock.now) >= interval - pollInterval }) ?? true {
                message.append("WATCHDOG=1")
                lastPing = clock.now
            }
            let status = Self.statusLine(report)
            if report.phase == .serving, status != lastStatus {
                message.append("STATUS=\(status)")
                lastStatus = status
            }
            if !message.isEmpty { send(message.joined(separator: "\n")) }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.pollInterval) }
            } catch {
                return
            }
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
        }
    }

    /// Alive means a restart would not help: systemd's watchdog restarts us (which opens the
    /// runtime and every card afresh) only when a card is wedged or failed and either still holds
    /// a model nothing else took over, or no card is left that works. A card that failed after
    /// its models were moved, or one that was dead from the start while the others serve, would
    /// fail again after a restart, and the restarts would only interrupt the cards that work. A
    /// recovering card is alive (the recovery ladder is working).
    public static func isAlive(_ report: HealthReport) -> Bool {
        let down = report.devices.filter { $0.state == .wedged || $0.state == .failed }
        if down.contains(where: { !$0.blockedModels.isEmpty }) { return false }
        return down.isEmpty || down.count < report.devices.count
    }

    /// What `systemctl status` shows.
    static func statusLine(_ report: HealthReport) -> String {
        let models = report.models.filter { $0.state == .resident }.map(\.name)
        var parts = [report.isHealthy ? "ready" : "unavailable: \(report.reasons.first ?? "")"]
        parts.append(models.isEmpty ? "no model loaded" : "models: \(models.joined(separator: ", "))")
        for device in report.devices {
            parts.append("\(device.name) \(device.state.rawValue)" + (device.temperatureCelsius.map { " \(StatusLog.format($0))°C" } ?? ""))
        }
        return parts.joined(separator: "; ")
    }

    private func emit(_ entry: StatusLog.Entry) {
        logger.log(level: entry.level, "\(entry.message)", metadata: entry.metadata.mapValues { .string($0) })
    }

    private func send(_ message: String) {
        do {
            try notifier.notify(message)
        } catch {
            logger.warning("\(error)")
        }
    }
}
