import AXCL

/// Opens a card for NPU engines: the runtime initialised once, the device activated on its own
/// thread, and the card's engine initialised (axera.md §1.8 step 1).
public enum NPUCard {
    /// - Parameter deviceID: an entry of the runtime's device list; nil takes the first listed.
    public static func open(library: AXCLLibrary, deviceID: DeviceID? = nil) async throws -> AXCLDevice {
        let runtime = try AXCLRuntime(library: library)
        let listed = try runtime.devices()
        guard let id = deviceID ?? listed.first else { throw AXCLUsageError.noDevices }
        let device = try await AXCLDevice.open(runtime, id: id)
        try await initializeEngine(on: device)
        return device
    }

    /// `axclrtEngineInit`, accepting an engine someone else already initialised (axera.md §1.8).
    static func initializeEngine(on device: AXCLDevice) async throws {
        do {
            try await device.initializeEngine(.disabled)
        } catch {
            guard (try? await device.virtualNPUKind()) != nil else { throw error }
        }
    }
}
