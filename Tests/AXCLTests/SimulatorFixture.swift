import AXCL
import AXCLSimulatorInterface
import Foundation
import Testing

/// Tests that drive the simulator share its process-wide state, so they run one at a time
/// under this suite; each starts from `Simulator.fresh()`.
@Suite(.serialized) struct SimulatorBackedTests {}

/// The simulator library built by this package, loaded by path as the server loads the vendor's.
enum Simulator {
    /// SwiftPM puts libaxcl_rt.so in the build products directory, next to the test bundle.
    static let libraryPath: String? = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0 ..< 4 {
            let candidate = directory.appendingPathComponent("libaxcl_rt.so").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    static var isAvailable: Bool { libraryPath != nil }

    /// Keeps the simulator mapped for the whole test process, so that its state (and the
    /// thread-local contexts of device threads) never disappears under a dlclose.
    private static let isPinned: Bool = libraryPath.flatMap { dlopen($0, RTLD_NOW | RTLD_GLOBAL) } != nil

    /// A simulator in the state of a freshly started process, and a binding over it.
    static func fresh() throws -> (library: AXCLLibrary, control: SimulatorControl) {
        let path = try #require(libraryPath, "libaxcl_rt.so was not built next to the test bundle")
        try #require(isPinned)
        let library = try AXCLLibrary(path: path)
        let control = SimulatorControl(library: library)
        control.reset()
        return (library, control)
    }
}

/// The simulator's axsim_ control API, resolved with dlsym.
struct SimulatorControl {
    let library: AXCLLibrary

    private func function<F>(_ name: String, _: F.Type) -> F {
        guard let address = library.address(of: name) else { fatalError("the simulator does not export \(name)") }
        return unsafeBitCast(address, to: F.self)
    }

    func reset() { function("axsim_reset", PFN_axsim_reset.self)() }

    var stats: axsim_stats {
        var stats = axsim_stats()
        function("axsim_get_stats", PFN_axsim_get_stats.self)(&stats)
        return stats
    }

    func setDeviceCount(_ count: UInt32) { function("axsim_set_device_count", PFN_axsim_set_device_count.self)(count) }
    func setCMMBudget(mebibytes: UInt32) { function("axsim_set_cmm_budget_mib", PFN_axsim_set_cmm_budget_mib.self)(mebibytes) }
    func setTemperature(_ milliCelsius: Int32) { function("axsim_set_temperature", PFN_axsim_set_temperature.self)(milliCelsius) }
    func setTemperatureRamp(_ perSecond: Int32) {
        function("axsim_set_temperature_ramp", PFN_axsim_set_temperature_ramp.self)(perSecond)
    }
    func setLoads(cpu: Int32, npu: Int32) { function("axsim_set_loads", PFN_axsim_set_loads.self)(cpu, npu) }
    func setOfflineAfterExecutes(_ n: Int64) {
        function("axsim_set_offline_after_executes", PFN_axsim_set_offline_after_executes.self)(n)
    }
    func setExecuteError(at n: Int64) { function("axsim_set_execute_error_at", PFN_axsim_set_execute_error_at.self)(n) }
    func setHang(at n: Int64) { function("axsim_set_hang_at_execute", PFN_axsim_set_hang_at_execute.self)(n) }
    func releaseHangs() { function("axsim_release_hangs", PFN_axsim_release_hangs.self)() }
    func setCMMExhausted(atLoad n: Int64) {
        function("axsim_set_cmm_exhausted_at_load", PFN_axsim_set_cmm_exhausted_at_load.self)(n)
    }
    func setDeviceListEmpty(seconds: Double) {
        function("axsim_set_device_list_empty_seconds", PFN_axsim_set_device_list_empty_seconds.self)(seconds)
    }
    func setRebootDuration(seconds: Double) { function("axsim_set_reboot_seconds", PFN_axsim_set_reboot_seconds.self)(seconds) }
    func setTiming(fixedMicroseconds: Double, bandwidthGBps: Double) {
        function("axsim_set_timing", PFN_axsim_set_timing.self)(fixedMicroseconds, bandwidthGBps)
    }
}

/// Runs `body` on a new OS thread (one with no AXCL context) and returns its result.
func onFreshThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
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
