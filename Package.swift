// swift-tools-version:6.1
import PackageDescription
import class Foundation.ProcessInfo

// Numeric targets are always built optimised, even in debug configuration: a debug-built
// forward pass is 10-100x slower, which would make every model test crawl.
// Without an explicit target CPU, Swift on x86-64 emits one `fmaf` library call per SIMD lane
// (see docs/architecture.md); override with AXLLAMA_TARGET_CPU=cortex-a76 for a Pi release build.
let targetCPU = ProcessInfo.processInfo.environment["AXLLAMA_TARGET_CPU"] ?? "native"
let numericSettings: [SwiftSetting] = [
    .unsafeFlags(["-O", "-target-cpu", targetCPU]),
]
// The C kernels follow the same target CPU: `-march` names an x86 CPU, `-mcpu` an Arm one.
#if arch(x86_64)
let cKernelCPUFlag = "-march=\(targetCPU)"
#else
let cKernelCPUFlag = "-mcpu=\(targetCPU)"
#endif
let cKernelSettings: [CSetting] = [.unsafeFlags(["-O3", cKernelCPUFlag])]

let package = Package(
    name: "axllama",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "axllama", targets: ["axllama"]),
        // The AXCL simulator: SwiftPM names this file libaxcl_rt.so, the vendor runtime's name.
        .library(name: "axcl_rt", type: .dynamic, targets: ["AXCLSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // No default traits: they pull in swift-configuration and full Foundation (ICU).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // Observability: metrics API, its Prometheus exposition (pulls only swift-atomics), and the
        // service lifecycle Hummingbird already runs on.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .executableTarget(
            name: "axllama",
            dependencies: [
                "Runtime", "CPUEngine", "GGUF", "Tokenizer", "EngineInterface", "OllamaAPI", "Server",
                "NPUEngine", "ModelConversion", "AXCL",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(name: "GGUF"),
        .target(name: "Tokenizer"),
        .target(name: "ChatTemplate"),
        .target(name: "EngineInterface"),
        .target(name: "CCPUKernels", cSettings: cKernelSettings),
        .target(
            name: "CPUEngine",
            dependencies: ["GGUF", "EngineInterface", "CCPUKernels"],
            swiftSettings: numericSettings
        ),
        .target(
            name: "Runtime",
            dependencies: ["GGUF", "Tokenizer", "ChatTemplate", "EngineInterface", .product(name: "CoreMetrics", package: "swift-metrics")],
            swiftSettings: numericSettings
        ),

        .target(name: "CAXCL"),
        .target(name: "AXCL", dependencies: ["CAXCL"]),
        .target(name: "AXCLSimulatorInterface"),
        .target(
            name: "AXCLSimulator",
            // The layer math uses the CPU engine's kernels, so both engines compute alike.
            dependencies: ["CAXCL", "AXCLSimulatorInterface", "CCPUKernels"],
            exclude: ["exports.map"],
            publicHeadersPath: ".", // nothing links it; its public face is AXCLSimulatorInterface
            cSettings: [.unsafeFlags(["-O2", "-fvisibility=hidden", cKernelCPUFlag])],
            linkerSettings: [
                .linkedLibrary("m"), .linkedLibrary("pthread"),
                .unsafeFlags(["-Xlinker", "-soname=libaxcl_rt.so"]), // the vendor's SONAME (axera.md §1.1)
                // Only the AXCL symbols and the axsim_ control API leave the library (not the kernels').
                .unsafeFlags(["-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/AXCLSimulator/exports.map"]),
            ]
        ),

        // The simulated .axmodel format's writer, shared by the converter and the AXCL tests.
        .target(name: "SimulatedAXModel", dependencies: ["AXCLSimulatorInterface"]),
        // Finds the simulator library beside the test bundles and drives its axsim_ control API.
        .target(name: "AXCLSimulatorSupport", dependencies: ["AXCL", "AXCLSimulatorInterface"]),
        // GGUF -> NPU model package (both vendor layouts) with simulated .axmodel files.
        .target(
            name: "ModelConversion",
            dependencies: ["GGUF", "Tokenizer", "Runtime", "CPUEngine", "SimulatedAXModel", "NPUEngine"],
            swiftSettings: numericSettings
        ),
        .target(
            name: "NPUEngine",
            dependencies: ["AXCL", "EngineInterface", "Runtime", "Tokenizer"],
            swiftSettings: numericSettings
        ),

        .target(name: "TestSupport", dependencies: ["Runtime", "EngineInterface", "Tokenizer"], path: "Sources/TestSupport"),
        .target(name: "OllamaAPI"),
        .target(
            name: "Server",
            dependencies: ["OllamaAPI", "Runtime", "GGUF", "Tokenizer", "EngineInterface", "ChatTemplate", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "CoreMetrics", package: "swift-metrics"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),

        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "TestSupport"]),
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer", "GGUF", "Runtime", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ChatTemplateTests", dependencies: ["ChatTemplate", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "CPUEngineTests",
            dependencies: ["CPUEngine", "GGUF", "EngineInterface", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: numericSettings
        ),
        .testTarget(name: "OllamaAPITests", dependencies: ["OllamaAPI"]),
        .testTarget(name: "ServerTests", dependencies: ["Server", "OllamaAPI", "Runtime", "EngineInterface", "Tokenizer", "TestSupport",
                                                 .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                                 .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "EngineInterface", "Tokenizer", "TestSupport", "CPUEngine", "GGUF"]),
        // Loads the simulator by path (never links it), as the server loads the vendor runtime.
        .testTarget(name: "AXCLTests", dependencies: ["AXCL", "CAXCL", "AXCLSimulatorInterface", "SimulatedAXModel", "AXCLSimulatorSupport"]),
        .testTarget(
            name: "NPUEngineTests",
            dependencies: [
                "NPUEngine", "ModelConversion", "SimulatedAXModel", "AXCL", "AXCLSimulatorInterface", "AXCLSimulatorSupport",
                "CPUEngine", "GGUF",
                "Tokenizer", "Runtime", "EngineInterface", "TestSupport",
            ],
            swiftSettings: numericSettings
        ),
    ]
)
