import CAXCL

/// Process-level AXCL calls that need no device context: initialisation, version, device list.
public struct AXCLRuntime: Sendable {
    public let library: AXCLLibrary
    var symbols: AXCLSymbols { library.symbols }

    /// Initialises the runtime (once per library, axera.md §1.3).
    public init(library: AXCLLibrary, configPath: String? = nil) throws(AXCLError) {
        self.library = library
        try library.initializeOnce(configPath: configPath)
    }

    public struct Version: Sendable, Equatable, CustomStringConvertible {
        public let major: Int32, minor: Int32, patch: Int32
        public init(major: Int32, minor: Int32, patch: Int32) {
            self.major = major
            self.minor = minor
            self.patch = patch
        }
        public var description: String { "\(major).\(minor).\(patch)" }
    }

    public func version() throws(AXCLError) -> Version {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        try check(symbols.axclrtGetVersion(&major, &minor, &patch), "axclrtGetVersion")
        return Version(major: major, minor: minor, patch: patch)
    }

    /// e.g. `AX650N`
    public var socName: String {
        symbols.axclrtGetSocName().map { String(cString: $0) } ?? ""
    }

    /// The devices the runtime lists now. Right after boot or a reboot the list can be empty
    /// for a while (axera.md §5): callers that wait for a card poll this.
    public func devices() throws(AXCLError) -> [DeviceID] {
        var list = axclrtDeviceList()
        try check(symbols.axclrtGetDeviceList(&list), "axclrtGetDeviceList")
        let count = min(Int(list.num), Int(AXCL_MAX_DEVICE_COUNT))
        return withUnsafeBytes(of: list.devices) { raw in
            raw.bindMemory(to: Int32.self).prefix(count).map(DeviceID.init)
        }
    }

    /// Telemetry of a card; callable from any thread (the runtime binds the device itself, axera.md §1.9).
    public func properties(of device: DeviceID) throws(AXCLError) -> DeviceProperties {
        var properties = axclrtDeviceProperties()
        try check(symbols.axclrtGetDeviceProperties(device.rawValue, &properties), "axclrtGetDeviceProperties")
        return DeviceProperties(properties)
    }

    /// Software reboot of a card, where the runtime exports it (axera.md §1.4). Returns false
    /// when it does not.
    public func reboot(_ device: DeviceID) throws(AXCLError) -> Bool {
        guard let reboot = symbols.axclrtRebootDevice else { return false }
        try check(reboot(device.rawValue), "axclrtRebootDevice")
        return true
    }

    /// `axclFinalize`, after every device has been closed.
    public func finalize() throws(AXCLError) { try library.finalize() }
}
