import CoreMetrics
import Prometheus
import Runtime

/// One server instance's health registry, metrics and shutdown drain. Each instance owns its
/// Prometheus registry: the metrics are made through a factory bound to it, never through the
/// process-wide `MetricsSystem`, so servers in one process (tests) never share counters.
public final class Observability: Sendable {
    public let health: HealthRegistry
    public let metrics: ServingMetrics
    public let drain = ShutdownDrain()
    let prometheus: PrometheusCollectorRegistry

    public init(thresholds: HealthThresholds = HealthThresholds()) {
        health = HealthRegistry(thresholds: thresholds)
        prometheus = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: prometheus)
        let seconds: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                   .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
                                   .seconds(30), .seconds(60), .seconds(120)]
        // Time to first token and loads span seconds on a Pi; per-token latency tens of milliseconds.
        factory.durationHistogramBuckets = [
            ServingMetrics.ttftLabel: seconds,
            ServingMetrics.loadTimeLabel: seconds,
            ServingMetrics.tokenLatencyLabel: [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(35), .milliseconds(50),
                                               .milliseconds(75), .milliseconds(100), .milliseconds(150), .milliseconds(250),
                                               .milliseconds(500), .seconds(1)],
        ]
        metrics = ServingMetrics(factory: factory)
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { prometheus.emitToString() }
}
