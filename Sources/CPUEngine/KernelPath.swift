import CCPUKernels

extension CPUEngine {
    /// The vector path of the matrix kernels in this build ("neon-dotprod", "neon", "avx2-vnni",
    /// "avx2" or "scalar"), chosen when the package was compiled for its target CPU.
    public static var kernelPath: String { String(cString: axl_kernel_path()) }
}
