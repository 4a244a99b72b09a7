import CoreMetrics
import EngineInterface
import Synchronization

/// The server's metrics, made through an injected swift-metrics factory so that each server
/// instance (and each test) has its own registry; the process-wide `MetricsSystem.bootstrap` is
/// never used. Names follow Prometheus conventions (`_total`, `_seconds`, `_bytes`).
public final class ServingMetrics: Sendable {
    public static let ttftLabel = "axllama_time_to_first_token_seconds"
    public static let tokenLatencyLabel = "axllama_token_latency_seconds"
    public static let loadTimeLabel = "axllama_model_load_seconds"

    private let factory: any MetricsFactory
    /// Last cumulative fault and recovery counts seen per device, so counters grow by the delta.
    private let seenCounts = Mutex<[String: Int]>([:])

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    // MARK: Requests

    /// One answered HTTP request; `endpoint` is the route pattern (`/api/generate`), not the raw path.
    public func request(endpoint: String, status: Int) {
        Counter(label: "axllama_requests_total", dimensions: [("endpoint", endpoint), ("status", String(status))], factory: factory).increment()
    }

    /// A request refused before it reached a model: `busy` (queue full), `too_hot`, `shutting_down`.
    public func rejected(reason: String) {
        Counter(label: "axllama_rejected_requests_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    /// A generation that ran: its token counts and latencies.
    public func generation(model: String, promptTokens: Int, generatedTokens: Int, timeToFirstTokenNanoseconds: UInt64?,
                           decodeNanoseconds: UInt64) {
        let dimensions = [("model", model)]
        Counter(label: "axllama_prompt_tokens_total", dimensions: dimensions, factory: factory).increment(by: promptTokens)
        Counter(label: "axllama_generated_tokens_total", dimensions: dimensions, factory: factory).increment(by: generatedTokens)
        if let ttft = timeToFirstTokenNanoseconds {
            Timer(label: Self.ttftLabel, dimensions: dimensions, factory: factory).recordNanoseconds(Int64(ttft))
        }
        // The mean time per generated token of this generation: one observation per request.
        if generatedTokens > 0 {
            Timer(label: Self.tokenLatencyLabel, dimensions: dimensions, factory: factory)
                .recordNanoseconds(Int64(decodeNanoseconds / UInt64(generatedTokens)))
        }
    }

    /// A request answered by the CPU fallback model because the card was down. Engines and the
    /// fallback router call this; the label is the model that answered.
    public func cpuFallbackUsed(model: String) {
        Counter(label: "axllama_cpu_fallback_total", dimensions: [("model", model)], factory: factory).increment()
    }

    // MARK: Models

    public func modelLoaded(model: String, nanoseconds: UInt64) {
        Counter(label: "axllama_model_loads_total", dimensions: [("model", model), ("result", "ok")], factory: factory).increment()
        Timer(label: Self.loadTimeLabel, dimensions: [("model", model)], factory: factory).recordNanoseconds(Int64(nanoseconds))
    }

    public func modelLoadFailed(model: String) {
        Counter(label: "axllama_model_loads_total", dimensions: [("model", model), ("result", "error")], factory: factory).increment()
    }

    public func modelUnloaded(model: String) {
        Counter(label: "axllama_model_unloads_total", dimensions: [("model", model)], factory: factory).increment()
    }

    /// Refreshed at every scrape and every status poll.
    public func residency(models: [ModelHealth], uptimeSeconds: Double) {
        Gauge(label: "axllama_queue_depth", factory: factory).record(models.reduce(0) { $0 + $1.queued })
        Gauge(label: "axllama_models_resident", factory: factory).record(models.filter { $0.state == .resident }.count)
        Gauge(label: "axllama_models_loading", factory: factory).record(models.filter { $0.state == .loading }.count)
        Gauge(label: "axllama_uptime_seconds", factory: factory).record(uptimeSeconds)
    }

    // MARK: Devices

    /// Device gauges follow the latest telemetry; faults and recoveries, which devices report as
    /// cumulative counts, advance the counters by what is new since the last call.
    public func devices(_ statuses: [DeviceStatus]) {
        for status in statuses {
            let device = [("device", status.name)]
            func gauge(_ label: String, _ value: Double?) {
                guard let value else { return }
                Gauge(label: label, dimensions: device, factory: factory).record(value)
            }
            gauge("axllama_device_temperature_celsius", status.temperatureCelsius)
            gauge("axllama_device_cmm_used_bytes", status.cmmUsedBytes.map { Double($0) })
            gauge("axllama_device_cmm_total_bytes", status.cmmTotalBytes.map { Double($0) })
            gauge("axllama_device_npu_load_percent", status.npuLoadPercent)
            gauge("axllama_device_cpu_load_percent", status.cpuLoadPercent)
            // One series per state, 1 for the current one: alerts can match `state="wedged"`.
            for state in DeviceStatus.State.allCases {
                Gauge(label: "axllama_device_state", dimensions: device + [("state", state.rawValue)], factory: factory)
                    .record(state == status.state ? 1 : 0)
            }
            for (kind, count) in status.faultCounts {
                let delta = advance("fault/\(status.name)/\(kind)", to: count)
                Counter(label: "axllama_device_faults_total", dimensions: device + [("kind", kind)], factory: factory).increment(by: delta)
            }
            let recoveries = advance("recovery/\(status.name)", to: status.recoveryCount)
            Counter(label: "axllama_device_recoveries_total", dimensions: device, factory: factory).increment(by: recoveries)
        }
    }

    /// The growth of a cumulative count since the last call; a count that went down (the
    /// device's counters restarted) counts from zero again.
    private func advance(_ key: String, to count: Int) -> Int {
        seenCounts.withLock { seen in
            let previous = seen[key] ?? 0
            seen[key] = count
            return count >= previous ? count - previous : count
        }
    }
}
