import AXCL

/// What a supervised engine tells its card's supervisor, and the watchdog limit it applies.
struct EngineSupervision: Sendable {
    let engineTimeout: Double
    /// The card's execute clock, shared by all its engines: a call queued behind another
    /// engine's hung execute on the same device thread is answered too.
    let clock: ExecuteClock
    /// A device-level fault failed a call: recover the card.
    let deviceFault: @Sendable (AXCLError) -> Void
    /// The watchdog fired: the card is wedged.
    let wedged: @Sendable (String) -> Void
    /// A call the watchdog gave up on has returned after all: the card can be recovered.
    let lateReturn: @Sendable () -> Void
}
