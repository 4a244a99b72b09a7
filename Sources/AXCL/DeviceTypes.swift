import CAXCL

/// A device id as the runtime lists it: an entry of `axclrtDeviceList.devices`, not an index
/// (axera.md §1.4).
public struct DeviceID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public var description: String { "device \(rawValue)" }
}

/// An address on the card. Never dereferenceable on the host; offsets inside an allocation are
/// valid for copies (axera.md §1.6).
public struct DeviceAddress: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    public func advanced(by bytes: Int) -> DeviceAddress { DeviceAddress(rawValue: rawValue &+ UInt(bytes)) }
    var pointer: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: rawValue) }
    public var description: String { "0x" + String(rawValue, radix: 16) }
}

/// A block of card memory from `axclrtMalloc`.
public struct DeviceBuffer: Sendable, Hashable {
    public let address: DeviceAddress
    public let byteCount: Int
    public func address(at offset: Int) -> DeviceAddress { address.advanced(by: offset) }
}

/// Page-locked host memory from `axclrtMallocHost`: the staging area for hot copies, which
/// avoids per-transfer page pinning (axera.md §1.6).
public struct PinnedHostBuffer: @unchecked Sendable, Hashable {
    public let pointer: UnsafeMutableRawPointer
    public let byteCount: Int
}

/// `axclrtMemcpyKind` (axera.md §1.2).
public enum MemcpyKind: Int32, Sendable {
    case hostToHost = 0, hostToDevice = 1, deviceToHost = 2, deviceToDevice = 3
    case hostPhysicalToDevice = 4, deviceToHostPhysical = 5

    var cValue: axclrtMemcpyKind { axclrtMemcpyKind(rawValue: UInt32(rawValue)) }
}

/// `axclrtEngineDataType` (axera.md §1.7).
public enum EngineDataType: Int32, Sendable {
    case none = 0, int4, uint4, int8, uint8, int16, uint16, int32, uint32, int64, uint64, fp4, fp8, fp16, bf16, fp32, fp64
}

/// What `axclrtGetDeviceProperties` reports, in plain units (axera.md §1.9). The call runs
/// shell commands on the card; poll it off the token path.
public struct DeviceProperties: Sendable, Equatable {
    public var softwareVersion: String
    public var uid: UInt64
    public var pciDomain: UInt32, pciBus: UInt32, pciDevice: UInt32
    public var temperatureMilliCelsius: Int32
    public var memoryTotalKiB: UInt32, memoryFreeKiB: UInt32
    public var cmmTotalKiB: UInt32, cmmFreeKiB: UInt32
    /// Percent x 100, as the runtime reports them.
    public var cpuLoading: UInt32, npuLoading: UInt32

    public var temperatureCelsius: Double { Double(temperatureMilliCelsius) / 1000 }
    public var cmmUsedKiB: UInt32 { cmmTotalKiB &- cmmFreeKiB }
    public var npuLoadPercent: Double { Double(npuLoading) / 100 }
    public var cpuLoadPercent: Double { Double(cpuLoading) / 100 }

    init(_ c: axclrtDeviceProperties) {
        softwareVersion = withUnsafeBytes(of: c.swVersion) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        uid = c.uid
        pciDomain = c.pciDomain
        pciBus = c.pciBusID
        pciDevice = c.pciDeviceID
        temperatureMilliCelsius = c.temperature
        memoryTotalKiB = c.totalMemSize
        memoryFreeKiB = c.freeMemSize
        cmmTotalKiB = c.totalCmmSize
        cmmFreeKiB = c.freeCmmSize
        cpuLoading = c.cpuLoading
        npuLoading = c.npuLoading
    }
}

/// `axclrtEngineVNpuKind` (axera.md §1.7).
public enum VirtualNPUKind: Int32, Sendable {
    case disabled = 0, enabled = 1, bigLittle = 2, littleBig = 3
}
