#include "KernelPaths.h"

// The public kernels forward to the path this build selected (KernelPaths.h). There is no
// AVX2 float matmul or quantizer: the compiler vectorises the portable ones well on x86-64.

#if AXL_KERNELS_NEON
#define QUANTIZED_PATH(name) axl_neon_##name
#define FLOAT_PATH(name) axl_neon_##name
#elif AXL_KERNELS_AVX2
#define QUANTIZED_PATH(name) axl_avx2_##name
#define FLOAT_PATH(name) axl_scalar_##name
#else
#define QUANTIZED_PATH(name) axl_scalar_##name
#define FLOAT_PATH(name) axl_scalar_##name
#endif

const char *axl_kernel_path(void) {
#if AXL_KERNELS_NEON && defined(__ARM_FEATURE_DOTPROD)
    return "neon-dotprod";
#elif AXL_KERNELS_NEON
    return "neon";
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

#define FORWARD_QUANTIZED(name)                                                                \
    void axl_##name(AXL_QUANTIZED_MATMUL_PARAMS) {                                             \
        QUANTIZED_PATH(name)(w, rowBytes, rowBegin, rowEnd, k, xq, xd, xs, tokenCount, out,   \
                             outStride);                                                      \
    }
#define FORWARD_FLOAT(name)                                                                    \
    void axl_##name(AXL_FLOAT_MATMUL_PARAMS) {                                                 \
        FLOAT_PATH(name)(w, rowBytes, rowBegin, rowEnd, k, x, tokenCount, out, outStride);    \
    }

FORWARD_QUANTIZED(matmul_q4_0)
FORWARD_QUANTIZED(matmul_q4_1)
FORWARD_QUANTIZED(matmul_q8_0)
// q5_0/q5_1 have AVX2 and scalar versions; NEON uses the scalar one until it has its own.
#if AXL_KERNELS_AVX2
#define Q5_PATH(name) axl_avx2_##name
#else
#define Q5_PATH(name) axl_scalar_##name
#endif
void axl_matmul_q5_0(AXL_QUANTIZED_MATMUL_PARAMS) {
    Q5_PATH(matmul_q5_0)(w, rowBytes, rowBegin, rowEnd, k, xq, xd, xs, tokenCount, out, outStride);
}
void axl_matmul_q5_1(AXL_QUANTIZED_MATMUL_PARAMS) {
    Q5_PATH(matmul_q5_1)(w, rowBytes, rowBegin, rowEnd, k, xq, xd, xs, tokenCount, out, outStride);
}

FORWARD_FLOAT(matmul_f32)
FORWARD_FLOAT(matmul_f16)
FORWARD_FLOAT(matmul_bf16)
