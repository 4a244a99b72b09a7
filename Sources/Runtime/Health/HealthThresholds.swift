/// When a device counts as warm, hot or too hot, and when its memory or fault history deserves a
/// warning. The card resets itself at Tj 120 °C and the notes advise a warning above ~85 °C
/// (axera.md §5); it idles near 41 °C and runs near 50 °C while decoding (axera.md §1.9), so the
/// defaults (warn 75, act 85, refuse 95) leave normal use alone and act well before the reset.
public struct HealthThresholds: Sendable, Equatable {
    /// What happens to a new generation while a device is above `highCelsius`.
    public enum HighTemperatureAction: String, Sendable, CaseIterable {
        /// `num_predict` is capped at `highTemperatureNumPredict`.
        case cap
        /// The generation waits (up to `highTemperatureMaxDelaySeconds`) for the card to cool.
        case delay
    }

    /// A warning is logged above this (`AXLLAMA_TEMP_WARN`).
    public var warnCelsius: Double = 75
    /// New generations are capped or delayed above this (`AXLLAMA_TEMP_HIGH`).
    public var highCelsius: Double = 85
    /// Requests get 503 above this until the card cools (`AXLLAMA_TEMP_CRITICAL`).
    public var criticalCelsius: Double = 95
    public var highTemperatureAction: HighTemperatureAction = .cap
    /// The `num_predict` cap while hot (`AXLLAMA_HIGH_TEMP_NUM_PREDICT`).
    public var highTemperatureNumPredict = 128
    /// The longest a generation waits for the card to cool under the `delay` action; after it,
    /// the generation runs capped rather than wait for ever.
    public var highTemperatureMaxDelaySeconds: Double = 30
    /// A warning is logged when less CMM than this is free (`AXLLAMA_CMM_WARN_MIB`).
    public var cmmWarnMiB = 256
    /// A model load that would leave less CMM free is refused (`AXLLAMA_CMM_FLOOR_MIB`; the NPU
    /// loader's own default).
    public var cmmFloorMiB = 128
    /// Faults of one kind within one status interval that earn a warning.
    public var repeatedFaultCount = 3

    public init() {}
}
