#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// The AXCL host runtime, opened with `dlopen` and resolved into a symbol table. Nothing links
/// against the vendor library, so the package builds and tests anywhere, and the simulator can
/// stand in for the real runtime (axera.md §7.1).
public final class AXCLLibrary: Sendable {
    /// Overrides the search with one library path (the simulator's, for instance).
    public static let pathVariable = "AXLLAMA_AXCL_LIBRARY"
    /// Where the axclhost package installs the runtime (axera.md §1.1).
    public static let installedPath = "/usr/lib/axcl/libaxcl_rt.so"
    static let fileName = "libaxcl_rt.so"

    /// Libraries that the vendor's libaxcl_rt.so needs from its own directory; they are loaded
    /// first, globally, when that directory is not on the loader path (pyaxcl does the same,
    /// axera.md §1.1). Missing ones are skipped: dlopen of the runtime then names what it lacks.
    static let siblingLibraries = [
        "libspdlog.so", "libaxcl_logger.so", "libaxcl_token.so", "libaxcl_pcie_msg.so", "libaxcl_pcie_dma.so",
        "libaxcl_comm.so", "libaxcl_pkg.so",
    ]

    /// The path or name that was opened.
    public let path: String
    public let symbols: AXCLSymbols
    nonisolated(unsafe) private let handle: UnsafeMutableRawPointer
    private let initialization = Mutex(false)

    /// Finds the runtime: `AXLLAMA_AXCL_LIBRARY` when set (and nothing else), otherwise the
    /// system loader path, then the axclhost install directory.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws(AXCLLibraryError) -> AXCLLibrary {
        let candidates: [String]
        if let override = environment[pathVariable], !override.isEmpty {
            candidates = [override]
        } else {
            candidates = [fileName, installedPath]
        }
        var attempts: [AXCLLibraryError.Attempt] = []
        for candidate in candidates {
            switch open(candidate) {
            case let .success(handle):
                return try AXCLLibrary(handle: handle, path: candidate)
            case let .failure(attempt):
                attempts.append(attempt)
            }
        }
        throw .notFound(attempts: attempts)
    }

    /// Opens the runtime at exactly `path`.
    public convenience init(path: String) throws(AXCLLibraryError) {
        switch Self.open(path) {
        case let .success(handle):
            try self.init(handle: handle, path: path)
        case let .failure(attempt):
            throw .notFound(attempts: [attempt])
        }
    }

    private init(handle: UnsafeMutableRawPointer, path: String) throws(AXCLLibraryError) {
        var resolver = SymbolResolver(handle: handle)
        let symbols = AXCLSymbols(resolver: &resolver)
        guard resolver.missing.isEmpty else {
            dlclose(handle)
            throw .missingSymbols(path: path, names: resolver.missing)
        }
        self.handle = handle
        self.path = path
        self.symbols = symbols
    }

    deinit { dlclose(handle) }

    private enum OpenResult {
        case success(UnsafeMutableRawPointer)
        case failure(AXCLLibraryError.Attempt)
    }

    private static func open(_ candidate: String) -> OpenResult {
        let isPath = candidate.contains("/")
        if isPath {
            guard FileManager.default.fileExists(atPath: candidate) else {
                return .failure(.init(location: candidate, reason: "no such file"))
            }
            preloadSiblings(of: candidate)
        }
        guard let handle = dlopen(candidate, RTLD_NOW | RTLD_GLOBAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            let location = isPath ? candidate : "\(candidate) on the system loader path"
            return .failure(.init(location: location, reason: reason))
        }
        return .success(handle)
    }

    private static func preloadSiblings(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for sibling in siblingLibraries {
            // Versioned names such as libspdlog.so.1.14 count as the sibling too.
            guard let file = files.filter({ $0 == sibling || $0.hasPrefix(sibling + ".") }).sorted().first else { continue }
            _ = dlopen(directory + "/" + file, RTLD_NOW | RTLD_GLOBAL)
        }
    }

    /// Resolves a symbol that is not part of the table (the simulator's control API, say).
    public func address(of symbol: String) -> UnsafeMutableRawPointer? { dlsym(handle, symbol) }

    /// `axclInit`, once for this library: the runtime allows one initialisation per process
    /// (axera.md §1.3), so the first caller initialises and later ones share it.
    public func initializeOnce(configPath: String? = nil) throws(AXCLError) {
        try initialization.withLock { (initialized: inout Bool) throws(AXCLError) in
            guard !initialized else { return }
            try check(symbols.axclInit(configPath), "axclInit")
            initialized = true
        }
    }

    /// `axclFinalize`, after every device has been reset; never from a static destructor
    /// (axera.md §1.3).
    public func finalize() throws(AXCLError) {
        try initialization.withLock { (initialized: inout Bool) throws(AXCLError) in
            guard initialized else { return }
            initialized = false
            try check(symbols.axclFinalize(), "axclFinalize")
        }
    }
}

/// Looks symbols up and remembers the required ones that are missing, so that one error can
/// list them all.
struct SymbolResolver {
    let handle: UnsafeMutableRawPointer
    private(set) var missing: [String] = []

    init(handle: UnsafeMutableRawPointer) { self.handle = handle }

    mutating func required<Function>(_ name: String) -> Function {
        if let address = dlsym(handle, name) { return unsafeBitCast(address, to: Function.self) }
        missing.append(name)
        // Never called: a table with missing symbols is discarded.
        return unsafeBitCast(UnsafeMutableRawPointer(bitPattern: 0x1)!, to: Function.self)
    }

    func optional<Function>(_ name: String) -> Function? {
        dlsym(handle, name).map { unsafeBitCast($0, to: Function.self) }
    }
}
