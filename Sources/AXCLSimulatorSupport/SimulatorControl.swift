import AXCL
import AXCLSimulatorInterface
import Foundation

/// The simulator library built by this package, loaded by path as the server loads the vendor's.
/// The simulator library is missing or cannot be opened.
public struct SimulatorUnavailable: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

public enum Simulator {
    /// SwiftPM puts libaxcl_rt.so in the build products directory, next to the test bundle.
    public static let libraryPath: String? = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0 ..< 4 {
            let candidate = directory.appendingPathComponent("libaxcl_rt.so").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    public static var isAvailable: Bool { libraryPath != nil }

    /// Keeps the simulator mapped for the whole test process, so that its state (and the
    /// thread-local contexts of device threads) never disappears under a dlclose.
    private static let isPinned: Bool = libraryPath.flatMap { dlopen($0, RTLD_NOW | RTLD_GLOBAL) } != nil

    /// A simulator in the state of a freshly started process, and a binding over it.
    public static func fresh() throws -> (library: AXCLLibrary, control: SimulatorControl) {
        guard let path = libraryPath else { throw SimulatorUnavailable("libaxcl_rt.so was not built next to the test bundle") }
        guard isPinned else { throw SimulatorUnavailable("dlopen of \(path) failed: \(String(cString: dlerror()))") }
        let library = try AXCLLibrary(path: path)
        let control = SimulatorControl(library: library)
        control.reset()
        return (library, control)
    }
}

/// The simulator's axsim_ control API, resolved with dlsym.
public struct SimulatorControl: Sendable {
    public let library: AXCLLibrary

    public init(library: AXCLLibrary) { self.library = library }

    private func function<F>(_ name: String, _: F.Type) -> F {
        guard let address = library.address(of: name) else { fatalError("the simulator does not export \(name)") }
        return unsafeBitCast(address, to: F.self)
    }

    public func reset() { function("axsim_reset", PFN_axsim_reset.self)() }

    public var stats: axsim_stats {
        var stats = axsim_stats()
        function("axsim_get_stats", PFN_axsim_get_stats.self)(&stats)
        return stats
    }

    /// What one card holds: models, device buffers and CMM in use.
    public func deviceStats(_ id: Int32) -> axsim_device_stats {
        var stats = axsim_device_stats()
        function("axsim_get_device_stats", PFN_axsim_get_device_stats.self)(id, &stats)
        return stats
    }

    public func setDeviceCount(_ count: UInt32) { function("axsim_set_device_count", PFN_axsim_set_device_count.self)(count) }
    public func setCMMBudget(mebibytes: UInt32) { function("axsim_set_cmm_budget_mib", PFN_axsim_set_cmm_budget_mib.self)(mebibytes) }
    public func setTemperature(_ milliCelsius: Int32) { function("axsim_set_temperature", PFN_axsim_set_temperature.self)(milliCelsius) }
    public func setTemperatureRamp(_ perSecond: Int32) {
        function("axsim_set_temperature_ramp", PFN_axsim_set_temperature_ramp.self)(perSecond)
    }
    public func setLoads(cpu: Int32, npu: Int32) { function("axsim_set_loads", PFN_axsim_set_loads.self)(cpu, npu) }
    public func setOfflineAfterExecutes(_ n: Int64) {
        function("axsim_set_offline_after_executes", PFN_axsim_set_offline_after_executes.self)(n)
    }
    public func setExecuteError(at n: Int64) { function("axsim_set_execute_error_at", PFN_axsim_set_execute_error_at.self)(n) }
    public func setHang(at n: Int64) { function("axsim_set_hang_at_execute", PFN_axsim_set_hang_at_execute.self)(n) }
    /// The `n`th model load from now blocks until `releaseHangs`, then completes.
    public func setHang(atLoad n: Int64) { function("axsim_set_hang_at_load", PFN_axsim_set_hang_at_load.self)(n) }
    /// The `n`th call from now of the runtime function `symbol` blocks until `releaseHangs`, then
    /// goes on; false when the simulator cannot make that function hang.
    @discardableResult
    public func setHang(atCall n: Int64, of symbol: String) -> Bool {
        function("axsim_set_hang_at_call", PFN_axsim_set_hang_at_call.self)(symbol, n) == 0
    }
    public func releaseHangs() { function("axsim_release_hangs", PFN_axsim_release_hangs.self)() }
    public func setCMMExhausted(atLoad n: Int64) {
        function("axsim_set_cmm_exhausted_at_load", PFN_axsim_set_cmm_exhausted_at_load.self)(n)
    }
    public func setDeviceListEmpty(seconds: Double) {
        function("axsim_set_device_list_empty_seconds", PFN_axsim_set_device_list_empty_seconds.self)(seconds)
    }
    /// Drops one card off the bus now, as an unplugged or crashed card does; a reboot brings it back.
    public func setDeviceOffline(_ id: Int32) { function("axsim_set_device_offline", PFN_axsim_set_device_offline.self)(id) }
    /// Whether the injected "offline after N executes" drop comes back after a reboot (by default a reboot clears it).
    public func setOfflineSurvivesReboot(_ survives: Bool) {
        function("axsim_set_offline_survives_reboot", PFN_axsim_set_offline_survives_reboot.self)(survives ? 1 : 0)
    }
    public func setRebootDuration(seconds: Double) { function("axsim_set_reboot_seconds", PFN_axsim_set_reboot_seconds.self)(seconds) }
    public func setTiming(fixedMicroseconds: Double, bandwidthGBps: Double) {
        function("axsim_set_timing", PFN_axsim_set_timing.self)(fixedMicroseconds, bandwidthGBps)
    }
}

/// Runs `body` on a new OS thread (one with no AXCL context) and returns its result.
public func onFreshThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.value = body()
        done.signal()
    }
    thread.start()
    done.wait()
    return box.value!
}

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
