import AXCL

/// Reads a card's properties on a thread of its own. The call runs several shell commands on the
/// card, each with up to a second's timeout (axera.md §1.9): neither the token path on the device
/// thread nor Swift's few cooperative threads should wait for it. The runtime binds the device
/// itself for this call, so any thread will do.
actor TelemetryReader {
    private let thread: DeviceThread
    private let runtime: AXCLRuntime
    private let id: DeviceID

    nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    init(runtime: AXCLRuntime, id: DeviceID) {
        self.runtime = runtime
        self.id = id
        thread = DeviceThread(name: "axcl-telemetry-\(id.rawValue)")
    }

    deinit { thread.stop() }

    func read() throws(AXCLError) -> DeviceProperties { try runtime.properties(of: id) }
}
