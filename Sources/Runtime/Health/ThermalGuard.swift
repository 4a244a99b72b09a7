import EngineInterface

/// How hot the hottest device is, against the thresholds. Decides what a new request may do.
public struct ThermalGuard: Sendable, Equatable {
    public enum Level: Int, Sendable, Comparable, CustomStringConvertible {
        case normal, warm, high, critical

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .normal: return "normal"
            case .warm: return "warm"
            case .high: return "high"
            case .critical: return "critical"
            }
        }
    }

    public let thresholds: HealthThresholds

    public init(thresholds: HealthThresholds) {
        self.thresholds = thresholds
    }

    /// A figure for people: whole numbers without a decimal point, others to one decimal.
    public static func format(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return tenths.rounded() == tenths ? String(Int(tenths)) : String(tenths)
    }

    public func level(celsius: Double) -> Level {
        if celsius >= thresholds.criticalCelsius { return .critical }
        if celsius >= thresholds.highCelsius { return .high }
        if celsius >= thresholds.warnCelsius { return .warm }
        return .normal
    }

    /// The hottest device that reports a temperature, and its level.
    public func hottest(_ statuses: [DeviceStatus]) -> (device: DeviceStatus, level: Level)? {
        statuses.compactMap { status in status.temperatureCelsius.map { (status, $0) } }
            .max { $0.1 < $1.1 }
            .map { ($0.0, level(celsius: $0.1)) }
    }

    /// What a new generation may do now.
    public enum Decision: Sendable, Equatable {
        case proceed
        /// Run with `num_predict` no larger than this.
        case cap(numPredict: Int, device: String, celsius: Double)
        /// Wait for the device to cool, then ask again.
        case delay(device: String, celsius: Double)
        /// Refuse with 503.
        case refuse(device: String, celsius: Double)
    }

    public func decision(for statuses: [DeviceStatus]) -> Decision {
        guard let (device, level) = hottest(statuses), let celsius = device.temperatureCelsius else { return .proceed }
        switch level {
        case .normal, .warm: return .proceed
        case .critical: return .refuse(device: device.name, celsius: celsius)
        case .high:
            switch thresholds.highTemperatureAction {
            case .cap: return .cap(numPredict: thresholds.highTemperatureNumPredict, device: device.name, celsius: celsius)
            case .delay: return .delay(device: device.name, celsius: celsius)
            }
        }
    }
}

/// A request refused because a device is above the critical temperature.
public struct DeviceTooHotError: Error, Equatable, CustomStringConvertible {
    public let device: String
    public let celsius: Double
    public let limit: Double

    public init(device: String, celsius: Double, limit: Double) {
        self.device = device
        self.celsius = celsius
        self.limit = limit
    }

    public var description: String {
        "the NPU card \(device) is too hot (\(ThermalGuard.format(celsius)) °C, limit \(ThermalGuard.format(limit)) °C); requests are refused until it cools, try again in a minute"
    }
}
