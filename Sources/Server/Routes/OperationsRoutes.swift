import Hummingbird
import OllamaAPI
import Runtime

/// `GET /health` and `GET /metrics`: new paths beside the Ollama surface, for supervisors,
/// load balancers and Prometheus.
struct OperationsRoutes: Sendable {
    let models: ModelService

    /// 200 with `"status":"ok"` when fit to serve, else 503 with `"status":"unavailable"` and the reasons.
    func health() async -> Response {
        let report = await models.healthReport()
        models.observability.metrics.residency(models: report.models, uptimeSeconds: report.uptimeSeconds)
        models.observability.metrics.devices(report.devices)
        return WireMessages.json(HealthBody(report), status: report.isHealthy ? .ok : .serviceUnavailable)
    }

    /// Prometheus text format 0.0.4; gauges of residency and devices are refreshed first.
    func metrics() async -> Response {
        let report = await models.healthReport()
        let observability = models.observability
        observability.metrics.residency(models: report.models, uptimeSeconds: report.uptimeSeconds)
        observability.metrics.devices(report.devices)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: observability.exposition())))
    }
}

extension ModelService {
    /// The health registry's verdict over the scheduler's models: resident, loading, models whose
    /// last load failed, and pinned models that are none of these.
    public func healthReport() async -> HealthReport {
        let pinned = settings.scheduler.pinned
        let failures = observability.health.failedLoads
        var entries = await scheduler.residents().map {
            ModelHealth(name: $0.key, state: .resident, isPinned: $0.isPinned, isBusy: $0.isBusy, queued: $0.queued)
        }
        for (key, queued) in await scheduler.loading() where !entries.contains(where: { $0.name == key }) {
            entries.append(ModelHealth(name: key, state: .loading, isPinned: pinned.contains(key), queued: queued))
        }
        for (key, error) in failures.sorted(by: { $0.key < $1.key }) where !entries.contains(where: { $0.name == key }) {
            entries.append(ModelHealth(name: key, state: .failed, isPinned: pinned.contains(key), loadError: error))
        }
        for key in pinned.sorted() where !entries.contains(where: { $0.name == key }) {
            entries.append(ModelHealth(name: key, state: .missing, isPinned: true))
        }
        return await observability.health.report(models: entries)
    }
}

/// The JSON of `/health`.
struct HealthBody: Encodable {
    struct Device: Encodable {
        let id: Int
        let name: String
        let state: String
        let detail: String?
        let temperatureCelsius: Double?
        let cmmUsedBytes: UInt64?
        let cmmTotalBytes: UInt64?
        let npuLoadPercent: Double?
        let cpuLoadPercent: Double?
        let firmwareVersion: String?
        let faults: [String: Int]
        let recoveries: Int
        /// Models that cannot be served until this card works again (or a restart places them).
        let blockedModels: [String]

        enum CodingKeys: String, CodingKey {
            case id, name, state, detail, faults, recoveries
            case blockedModels = "blocked_models"
            case temperatureCelsius = "temperature_celsius"
            case cmmUsedBytes = "cmm_used_bytes"
            case cmmTotalBytes = "cmm_total_bytes"
            case npuLoadPercent = "npu_load_percent"
            case cpuLoadPercent = "cpu_load_percent"
            case firmwareVersion = "firmware_version"
        }
    }

    struct Model: Encodable {
        let name: String
        let state: String
        let pinned: Bool
        let busy: Bool
        let queued: Int
        let error: String?
    }

    let status: String
    let phase: String
    let reason: String?
    let reasons: [String]
    let devices: [Device]
    let models: [Model]
    let queueDepth: Int
    let uptimeSeconds: Double

    enum CodingKeys: String, CodingKey {
        case status, phase, reason, reasons, devices, models
        case queueDepth = "queue_depth"
        case uptimeSeconds = "uptime_seconds"
    }

    init(_ report: HealthReport) {
        status = report.isHealthy ? "ok" : "unavailable"
        phase = report.phase.rawValue
        reason = report.reasons.isEmpty ? nil : report.reasons.joined(separator: "; ")
        reasons = report.reasons
        devices = report.devices.map {
            Device(id: $0.id, name: $0.name, state: $0.state.rawValue, detail: $0.detail, temperatureCelsius: $0.temperatureCelsius,
                   cmmUsedBytes: $0.cmmUsedBytes, cmmTotalBytes: $0.cmmTotalBytes, npuLoadPercent: $0.npuLoadPercent,
                   cpuLoadPercent: $0.cpuLoadPercent, firmwareVersion: $0.firmwareVersion, faults: $0.faultCounts,
                   recoveries: $0.recoveryCount, blockedModels: $0.blockedModels)
        }
        models = report.models.map { Model(name: $0.name, state: $0.state.rawValue, pinned: $0.isPinned, busy: $0.isBusy, queued: $0.queued, error: $0.loadError) }
        queueDepth = report.queueDepth
        uptimeSeconds = (report.uptimeSeconds * 1000).rounded() / 1000
    }
}
