#include "KernelPaths.h"

// The public kernels forward to the path this build selected (KernelPaths.h). Every format has a
// kernel on each vector path except the activation quantizers on x86-64, where the compiler
// vectorises the portable ones well.

#if AXL_KERNELS_NEON
#define PATH(name) axl_neon_##name
#elif AXL_KERNELS_AVX2
#define PATH(name) axl_avx2_##name
#else
#define PATH(name) axl_scalar_##name
#endif

// The formats with a 512-bit kernel take it when the build has them (KernelPaths.h); the others
// keep PATH's.
#if AXL_KERNELS_AVX512
#define WIDE_PATH(name) axl_avx512_##name
#else
#define WIDE_PATH(name) PATH(name)
#endif

const char *axl_kernel_path(void) {
#if AXL_KERNELS_NEON && defined(__ARM_FEATURE_DOTPROD)
    return "neon-dotprod";
#elif AXL_KERNELS_NEON
    return "neon";
#elif AXL_KERNELS_AVX512 && defined(__AVX512VNNI__)
    return "avx512-vnni";
#elif AXL_KERNELS_AVX512
    return "avx512bw";
#elif AXL_KERNELS_AVX2 && (defined(__AVXVNNI__) || (defined(__AVX512VNNI__) && defined(__AVX512VL__)))
    return "avx2-vnni";
#elif AXL_KERNELS_AVX2
    return "avx2";
#else
    return "scalar";
#endif
}

void axl_quantize_row_q8(const float *x, int n, int8_t *q, float *d, float *s) {
#if AXL_KERNELS_NEON
    axl_neon_quantize_row_q8(x, n, q, d, s);
#else
    axl_scalar_quantize_row_q8(x, n, q, d, s);
#endif
}

void axl_quantize_row_q8_k(const float *x, int n, int8_t *q, float *d, int16_t *sums) {
#if AXL_KERNELS_NEON
    axl_neon_quantize_row_q8_k(x, n, q, d, sums);
#else
    axl_scalar_quantize_row_q8_k(x, n, q, d, sums);
#endif
}

#define FORWARD_QUANTIZED(name, path)                                                          \
    void axl_##name(AXL_QUANTIZED_MATMUL_PARAMS) {                                             \
        path(w, rowBytes, rowBegin, rowEnd, k, xq, xd, xs, tokenCount, out, outStride);       \
    }
#define FORWARD_K_QUANT(name, path)                                                            \
    void axl_##name(AXL_K_QUANT_MATMUL_PARAMS) {                                               \
        path(w, rowBytes, rowBegin, rowEnd, k, xq, xd, xsums, tokenCount, out, outStride);    \
    }
#define FORWARD_FLOAT(name, path)                                                              \
    void axl_##name(AXL_FLOAT_MATMUL_PARAMS) {                                                 \
        path(w, rowBytes, rowBegin, rowEnd, k, x, tokenCount, out, outStride);                \
    }

FORWARD_QUANTIZED(matmul_q4_0, WIDE_PATH(matmul_q4_0))
FORWARD_QUANTIZED(matmul_q4_1, WIDE_PATH(matmul_q4_1))
FORWARD_QUANTIZED(matmul_q8_0, WIDE_PATH(matmul_q8_0))
FORWARD_QUANTIZED(matmul_q5_0, PATH(matmul_q5_0))
FORWARD_QUANTIZED(matmul_q5_1, PATH(matmul_q5_1))
FORWARD_K_QUANT(matmul_q4_k, PATH(matmul_q4_k))
FORWARD_K_QUANT(matmul_q5_k, PATH(matmul_q5_k))
FORWARD_K_QUANT(matmul_q6_k, PATH(matmul_q6_k))
FORWARD_FLOAT(matmul_f32, PATH(matmul_f32))
FORWARD_FLOAT(matmul_bf16, PATH(matmul_bf16))
#if AXL_KERNELS_AVX2 && !AXL_AVX2_F16
FORWARD_FLOAT(matmul_f16, axl_scalar_matmul_f16)
#else
FORWARD_FLOAT(matmul_f16, PATH(matmul_f16))
#endif
