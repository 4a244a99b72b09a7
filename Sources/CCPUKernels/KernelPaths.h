// The vector path behind this build's public kernels, and the per-path entry points.
//
// One path is chosen per build from the target the compiler was given (-march / -mcpu, see
// Package.swift): NEON on aarch64, AVX2 on x86-64 CPUs that have it, the portable scalar path
// otherwise or when AXL_FORCE_SCALAR is defined. The scalar entry points (CCPUKernels.h) are
// compiled on every build: they are the reference that the tests and
// scripts/test-neon-kernels.sh check every path against.
//
// On every path a token's results do not depend on how many tokens the call has: a batch gives
// each token the arithmetic (per-block operations, accumulator lanes, final reduction) it gets
// when alone, so K/V rows and logits are bit-identical whether a token is decoded alone or
// evaluated in a prefill batch; prefix reuse relies on it (docs/architecture.md). The kernel
// checks compare a batch with each token alone bit for bit.
#ifndef AXL_KERNEL_PATHS_H
#define AXL_KERNEL_PATHS_H

#include "CCPUKernels.h"

#if !defined(AXL_FORCE_SCALAR) && defined(__aarch64__) && defined(__ARM_NEON)
#define AXL_KERNELS_NEON 1
#elif !defined(AXL_FORCE_SCALAR) && defined(__AVX2__) && defined(__FMA__)
#define AXL_KERNELS_AVX2 1
#endif

// On x86-64 targets with AVX512F/BW/VL the default model's formats (q4_0, q4_1, q8_0) use 512-bit
// kernels and every other format stays on AVX2. AXL_NO_AVX512 keeps them all on AVX2 (the kernel
// checks build that way too, so the AVX2 kernels stay checked on an AVX-512 machine). Measured on
// SmolLM2-135M Q4_1 with `axllama bench --threads 2`, alternating builds: prefill faster in every
// round, decode the same or slightly faster; single-threaded (scripts/test-neon-kernels.sh
// --speed) the kernels are as fast as AVX2 for one token and faster for a batch.
#if AXL_KERNELS_AVX2 && !defined(AXL_NO_AVX512) && defined(__AVX512F__) && defined(__AVX512BW__) && \
    defined(__AVX512VL__)
#define AXL_KERNELS_AVX512 1
#endif

#define AXL_QUANTIZED_MATMUL_PARAMS                                                             \
    const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k, const int8_t *xq,      \
        const float *xd, const float *xs, int tokenCount, float *out, size_t outStride
#define AXL_K_QUANT_MATMUL_PARAMS                                                               \
    const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k, const int8_t *xq,      \
        const float *xd, const int16_t *xsums, int tokenCount, float *out, size_t outStride
#define AXL_FLOAT_MATMUL_PARAMS                                                                 \
    const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k, const float *x,        \
        int tokenCount, float *out, size_t outStride

#if AXL_KERNELS_AVX2
void axl_avx2_matmul_q4_0(AXL_QUANTIZED_MATMUL_PARAMS);
void axl_avx2_matmul_q4_1(AXL_QUANTIZED_MATMUL_PARAMS);
void axl_avx2_matmul_q8_0(AXL_QUANTIZED_MATMUL_PARAMS);
void axl_avx2_matmul_q5_0(AXL_QUANTIZED_MATMUL_PARAMS);
void axl_avx2_matmul_q5_1(AXL_QUANTIZED_MATMUL_PARAMS);
void axl_avx2_matmul_q4_k(AXL_K_QUANT_MATMUL_PARAMS);
void axl_avx2_matmul_q5_k(AXL_K_QUANT_MATMUL_PARAMS);
void axl_avx2_matmul_q6_k(AXL_K_QUANT_MATMUL_PARAMS);
void axl_avx2_matmul_f32(AXL_FLOAT_MATMUL_PARAMS);
void axl_avx2_matmul_bf16(AXL_FLOAT_MATMUL_PARAMS);
// The f16 kernel converts with F16C (VCVTPH2PS); a target without it keeps f16 on the scalar path.
#if defined(__F16C__)
#define AXL_AVX2_F16 1
void axl_avx2_matmul_f16(AXL_FLOAT_MATMUL_PARAMS);
#endif
#endif

#if AXL_KERNELS_AVX512
void axl_avx512_matmul_q4_0(AXL_QUANTIZED_MATMUL_PARAMS);
void axl_avx512_matmul_q4_1(AXL_QUANTIZED_MATMUL_PARAMS);
void axl_avx512_matmul_q8_0(AXL_QUANTIZED_MATMUL_PARAMS);
// The q4_1 kernel behind axl_avx512_matmul_q4_1 (DecodeQ4_1AVX512.c) for rows of up to
// AXL_DECODE_MAX_K weights, for one token and for a batch alike: it lays each token's activations
// out on the stack in the row's byte layout.
#define AXL_DECODE_MAX_K 8192
void axl_avx512_decode_q4_1(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                            const int8_t *xq, const float *xd, const float *xs, int tokenCount,
                            float *out, size_t outStride);
#endif

#if AXL_KERNELS_NEON
void axl_neon_quantize_row_q8(const float *x, int n, int8_t *q, float *d, float *s);
void axl_neon_quantize_row_q8_k(const float *x, int n, int8_t *q, float *d, int16_t *sums);
void axl_neon_matmul_q4_0(AXL_QUANTIZED_MATMUL_PARAMS);
void axl_neon_matmul_q4_1(AXL_QUANTIZED_MATMUL_PARAMS);
void axl_neon_matmul_q8_0(AXL_QUANTIZED_MATMUL_PARAMS);
void axl_neon_matmul_q5_0(AXL_QUANTIZED_MATMUL_PARAMS);
void axl_neon_matmul_q5_1(AXL_QUANTIZED_MATMUL_PARAMS);
void axl_neon_matmul_q4_k(AXL_K_QUANT_MATMUL_PARAMS);
void axl_neon_matmul_q5_k(AXL_K_QUANT_MATMUL_PARAMS);
void axl_neon_matmul_q6_k(AXL_K_QUANT_MATMUL_PARAMS);
void axl_neon_matmul_f32(AXL_FLOAT_MATMUL_PARAMS);
void axl_neon_matmul_f16(AXL_FLOAT_MATMUL_PARAMS);
void axl_neon_matmul_bf16(AXL_FLOAT_MATMUL_PARAMS);
#endif

#endif
