import Testing
@testable import CPUEngine

@Suite struct KernelPathTests {
    // Package.swift compiles the kernels for the target CPU: a vector path on both architectures
    // the project ships for, unless that CPU lacks it.
    @Test func kernelPathBelongsToTheBuildArchitecture() {
        #if arch(arm64)
        #expect(["neon-dotprod", "neon"].contains(CPUEngine.kernelPath))
        #else
        #expect(["avx512-vnni", "avx512bw", "avx2-vnni", "avx2", "scalar"].contains(CPUEngine.kernelPath))
        #endif
    }
}
