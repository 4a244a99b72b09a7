import AXCL

/// Everything a model holds on a card, released in the documented teardown order: buffers, IO
/// objects, IO infos, then the models (axera.md §1.8). Used both by an orderly unload and by a
/// load that must be undone halfway.
struct DeviceAllocations: Sendable {
    var buffers: [DeviceBuffer] = []
    var hostBuffers: [PinnedHostBuffer] = []
    var ios: [EngineIO] = []
    var infos: [EngineIOInfo] = []
    var models: [EngineModel] = []

    /// A zero-filled device buffer: unused cache rows must not hold NaN (axera.md §7.5).
    mutating func zeroedBuffer(_ byteCount: Int, on device: isolated AXCLDevice) throws -> DeviceBuffer {
        let buffer = try device.allocate(byteCount: byteCount)
        buffers.append(buffer)
        try device.fill(buffer.address, value: 0, byteCount: byteCount)
        return buffer
    }

    mutating func hostBuffer(_ byteCount: Int, on device: isolated AXCLDevice) throws -> PinnedHostBuffer {
        let buffer = try device.allocateHost(byteCount: byteCount)
        hostBuffers.append(buffer)
        return buffer
    }

    /// Best effort: every release is attempted; the first failure is returned.
    mutating func release(on device: isolated AXCLDevice) -> AXCLError? {
        var first: AXCLError?
        func attempt(_ body: () throws(AXCLError) -> Void) {
            do { try body() } catch { if first == nil { first = error } }
        }
        for buffer in buffers { attempt { () throws(AXCLError) in try device.free(buffer) } }
        for buffer in hostBuffers { attempt { () throws(AXCLError) in try device.free(buffer) } }
        for io in ios { attempt { () throws(AXCLError) in try device.destroy(io) } }
        for info in infos { attempt { () throws(AXCLError) in try device.destroy(info) } }
        for model in models.reversed() { attempt { () throws(AXCLError) in try device.unload(model) } }
        self = DeviceAllocations()
        return first
    }
}
