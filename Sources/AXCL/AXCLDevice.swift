import CAXCL

/// One card. Every call runs on the card's own OS thread, on which `axclrtSetDevice` made the
/// card's default context current (axera.md §1.5, §7.3); engines that want to call the device
/// without hopping can share `unownedExecutor`.
public actor AXCLDevice {
    public nonisolated let id: DeviceID
    public nonisolated let runtime: AXCLRuntime
    nonisolated let thread: DeviceThread
    let symbols: AXCLSymbols
    private var isOpen = false

    public nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    private init(runtime: AXCLRuntime, id: DeviceID) {
        self.runtime = runtime
        self.id = id
        self.symbols = runtime.library.symbols
        self.thread = DeviceThread(name: "axcl-device-\(id.rawValue)")
    }

    deinit { thread.stop() }

    /// Opens a listed device: starts its thread and activates the card there.
    public static func open(_ runtime: AXCLRuntime, id: DeviceID) async throws -> AXCLDevice {
        let listed = try runtime.devices()
        guard !listed.isEmpty else { throw AXCLUsageError.noDevices }
        guard listed.contains(id) else { throw AXCLUsageError.deviceNotListed(id, available: listed) }
        let device = AXCLDevice(runtime: runtime, id: id)
        try await device.activate()
        return device
    }

    private func activate() throws(AXCLError) {
        try check(symbols.axclrtSetDevice(id.rawValue), "axclrtSetDevice")
        isOpen = true
    }

    /// Activates the card again on the same thread after a reset or reboot: every handle from
    /// before is stale, the runtime gives the thread a fresh default context (axera.md §1.4).
    public func reopen() throws(AXCLError) {
        try check(symbols.axclrtSetDevice(id.rawValue), "axclrtSetDevice")
        isOpen = true
    }

    /// `close()` for a card that may already be gone: errors are ignored, because a lost or
    /// rebooted card has dropped the thread's hold by itself.
    public func closeIgnoringErrors() {
        guard isOpen else { return }
        isOpen = false
        _ = symbols.axclrtResetDevice(id.rawValue)
    }

    /// Releases the thread's hold on the card (`axclrtResetDevice`): the last step of the
    /// documented teardown before `axclFinalize` (axera.md §1.8).
    public func close() throws {
        guard isOpen else { throw AXCLUsageError.deviceClosed(id) }
        isOpen = false
        try check(symbols.axclrtResetDevice(id.rawValue), "axclrtResetDevice")
    }

    /// Runs raw runtime calls on the device thread, for what the typed wrappers do not cover.
    public func withSymbols<T: Sendable>(_ body: @Sendable (AXCLSymbols) throws -> T) rethrows -> T {
        try body(symbols)
    }

    public func properties() throws(AXCLError) -> DeviceProperties {
        try runtime.properties(of: id)
    }

    // MARK: Memory (axera.md §1.6)

    /// Card memory from the CMM pool. Contents are undefined: zero what will be read before it
    /// is written (axera.md §7.5).
    public func allocate(byteCount: Int) throws(AXCLError) -> DeviceBuffer {
        var pointer: UnsafeMutableRawPointer?
        try check(symbols.axclrtMalloc(&pointer, byteCount, AXCL_MEM_MALLOC_HUGE_FIRST), "axclrtMalloc")
        return DeviceBuffer(address: DeviceAddress(rawValue: UInt(bitPattern: pointer)), byteCount: byteCount)
    }

    public func free(_ buffer: DeviceBuffer) throws(AXCLError) {
        try check(symbols.axclrtFree(buffer.address.pointer), "axclrtFree")
    }

    public func allocateHost(byteCount: Int) throws(AXCLError) -> PinnedHostBuffer {
        var pointer: UnsafeMutableRawPointer?
        try check(symbols.axclrtMallocHost(&pointer, byteCount), "axclrtMallocHost")
        guard let pointer else { throw AXCLError(code: AXCLErrorCode(rawValue: 0x8030_0502), call: "axclrtMallocHost") }
        return PinnedHostBuffer(pointer: pointer, byteCount: byteCount)
    }

    public func free(_ buffer: PinnedHostBuffer) throws(AXCLError) {
        try check(symbols.axclrtFreeHost(buffer.pointer), "axclrtFreeHost")
    }

    public func fill(_ address: DeviceAddress, value: UInt8 = 0, byteCount: Int) throws(AXCLError) {
        try check(symbols.axclrtMemset(address.pointer, value, byteCount), "axclrtMemset")
    }

    /// `axclrtMemcpy` on raw addresses; the typed copies below are the usual way in.
    public func copy(to destination: UInt, from source: UInt, byteCount: Int, kind: MemcpyKind) throws(AXCLError) {
        try check(
            symbols.axclrtMemcpy(UnsafeMutableRawPointer(bitPattern: destination), UnsafeRawPointer(bitPattern: source),
                                 byteCount, kind.cValue),
            "axclrtMemcpy")
    }

    public func copy(_ source: PinnedHostBuffer, offset: Int = 0, to destination: DeviceAddress, byteCount: Int) throws(AXCLError) {
        try copy(to: destination.rawValue, from: UInt(bitPattern: source.pointer + offset), byteCount: byteCount, kind: .hostToDevice)
    }

    public func copy(_ source: DeviceAddress, to destination: PinnedHostBuffer, offset: Int = 0, byteCount: Int) throws(AXCLError) {
        try copy(to: UInt(bitPattern: destination.pointer + offset), from: source.rawValue, byteCount: byteCount, kind: .deviceToHost)
    }

    public func copy(_ source: DeviceAddress, to destination: DeviceAddress, byteCount: Int) throws(AXCLError) {
        try copy(to: destination.rawValue, from: source.rawValue, byteCount: byteCount, kind: .deviceToDevice)
    }

    /// Uploads values through pageable memory: fine for setup, use pinned staging on hot paths.
    public func write<Element: BitwiseCopyable & Sendable>(_ values: [Element], to destination: DeviceAddress) throws(AXCLError) {
        let result = values.withUnsafeBytes { bytes in
            symbols.axclrtMemcpy(destination.pointer, bytes.baseAddress, bytes.count, AXCL_MEMCPY_HOST_TO_DEVICE)
        }
        try check(result, "axclrtMemcpy")
    }

    /// Downloads `count` values through pageable memory.
    public func read<Element: BitwiseCopyable & Sendable>(_: Element.Type, count: Int, from source: DeviceAddress) throws(AXCLError)
        -> [Element]
    {
        var result: Int32 = 0
        let values = [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            result = symbols.axclrtMemcpy(UnsafeMutableRawPointer(buffer.baseAddress), source.pointer,
                                          count * MemoryLayout<Element>.stride, AXCL_MEMCPY_DEVICE_TO_HOST)
            initialized = result == 0 ? count : 0
        }
        try check(result, "axclrtMemcpy")
        return values
    }
}
