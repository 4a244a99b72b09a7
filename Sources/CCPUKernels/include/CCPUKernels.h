// Matrix kernels for the CPU engine, kept in C because they need vector intrinsics
// (AVX2 / AVX-VNNI on x86-64, NEON with SDOT on aarch64) that Swift cannot express without
// per-lane conversions. Each build uses one vector path, chosen from the target CPU it is
// compiled for, with a portable scalar path behind every kernel. Every function here has a
// scalar Swift reference in CPUEngine and a test comparing them; scripts/test-neon-kernels.sh
// checks each vector path against the scalar one (the aarch64 paths under qemu).
#ifndef CCPUKERNELS_H
#define CCPUKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Activations are quantized in blocks of 32 values: `q` holds the int8 values, `d` one scale per
/// block, and `s` the block's scale times the sum of its int8 values (the term Q4_1's minimum and
/// Q4_0's offset of 8 multiply).
void axl_quantize_row_q8(const float *x, int n, int8_t *q, float *d, float *s);

/// out[t * outStride + r] = dot(row r of w, activation t) for r in rowBegin..<rowEnd and t in
/// 0..<tokenCount. `w` points at row 0; rows are `rowBytes` apart; `k` is the row length (a
/// multiple of 32). Quantized activations of token t start at xq + t*k, xd + t*k/32, xs + t*k/32.
void axl_matmul_q4_0(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                     const int8_t *xq, const float *xd, const float *xs, int tokenCount,
                     float *out, size_t outStride);
void axl_matmul_q4_1(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                     const int8_t *xq, const float *xd, const float *xs, int tokenCount,
                     float *out, size_t outStride);
void axl_matmul_q8_0(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                     const int8_t *xq, const float *xd, const float *xs, int tokenCount,
                     float *out, size_t outStride);
void axl_matmul_q5_0(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                     const int8_t *xq, const float *xd, const float *xs, int tokenCount,
                     float *out, size_t outStride);
void axl_matmul_q5_1(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                     const int8_t *xq, const float *xd, const float *xs, int tokenCount,
                     float *out, size_t outStride);

/// Activations for K-quant weights are quantized in super-blocks of 256, as llama.cpp's Q8_K:
/// `q` the int8 values, `d` one scale per 256, `sums` the sum of each 16 consecutive int8 values
/// (the term K-quant minimums and Q6_K's offset of 32 multiply).
void axl_quantize_row_q8_k(const float *x, int n, int8_t *q, float *d, int16_t *sums);

/// K-quant weights (super-blocks of 256) times Q8_K activations. Same row and output layout as
/// above; `k` is a multiple of 256 and token t's activations start at xq + t*k, xd + t*k/256,
/// xsums + t*k/16. The products stay in int32 within each super-block.
void axl_matmul_q4_k(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                     const int8_t *xq, const float *xd, const int16_t *xsums, int tokenCount,
                     float *out, size_t outStride);
void axl_matmul_q5_k(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                     const int8_t *xq, const float *xd, const int16_t *xsums, int tokenCount,
                     float *out, size_t outStride);
void axl_matmul_q6_k(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                     const int8_t *xq, const float *xd, const int16_t *xsums, int tokenCount,
                     float *out, size_t outStride);

/// Float-weight variants take f32 activations: token t starts at x + t*k.
void axl_matmul_f32(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                    const float *x, int tokenCount, float *out, size_t outStride);
void axl_matmul_f16(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                    const float *x, int tokenCount, float *out, size_t outStride);
void axl_matmul_bf16(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                     const float *x, int tokenCount, float *out, size_t outStride);

/// The portable scalar path of each kernel above, in plain C and compiled on every build: what
/// the tests compare this build's vector path (the functions above) against. Same arguments.
void axl_scalar_quantize_row_q8(const float *x, int n, int8_t *q, float *d, float *s);
void axl_scalar_quantize_row_q8_k(const float *x, int n, int8_t *q, float *d, int16_t *sums);
void axl_scalar_matmul_q4_0(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                            const int8_t *xq, const float *xd, const float *xs, int tokenCount,
                            float *out, size_t outStride);
void axl_scalar_matmul_q4_1(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                            const int8_t *xq, const float *xd, const float *xs, int tokenCount,
                            float *out, size_t outStride);
void axl_scalar_matmul_q8_0(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                            const int8_t *xq, const float *xd, const float *xs, int tokenCount,
                            float *out, size_t outStride);
void axl_scalar_matmul_q5_0(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                            const int8_t *xq, const float *xd, const float *xs, int tokenCount,
                            float *out, size_t outStride);
void axl_scalar_matmul_q5_1(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                            const int8_t *xq, const float *xd, const float *xs, int tokenCount,
                            float *out, size_t outStride);
void axl_scalar_matmul_q4_k(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                            const int8_t *xq, const float *xd, const int16_t *xsums, int tokenCount,
                            float *out, size_t outStride);
void axl_scalar_matmul_q5_k(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                            const int8_t *xq, const float *xd, const int16_t *xsums, int tokenCount,
                            float *out, size_t outStride);
void axl_scalar_matmul_q6_k(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                            const int8_t *xq, const float *xd, const int16_t *xsums, int tokenCount,
                            float *out, size_t outStride);
void axl_scalar_matmul_f32(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                           const float *x, int tokenCount, float *out, size_t outStride);
void axl_scalar_matmul_f16(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                           const float *x, int tokenCount, float *out, size_t outStride);
void axl_scalar_matmul_bf16(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                            const float *x, int tokenCount, float *out, size_t outStride);

/// Converts n IEEE half-precision values to f32.
void axl_f16_to_f32(const uint16_t *h, float *out, int n);

/// Replaces x[0..<n] by its softmax.
void axl_softmax(float *x, int n);

/// gate[i] = silu(gate[i]) * up[i], the SwiGLU activation.
void axl_silu_mul(float *gate, const float *up, int n);

/// Attention of the `group` consecutive query heads at `q` (group * headDim floats) that share
/// one KV head, over cache slots 0..<slots whose key and value rows start at `keys` and `values`,
/// `slotStride` floats apart: out[h * headDim ..] = softmax(q_h · k * scale) · v. Also reports
/// each head's score maximum and sum of exponentials, with which axl_attention_merge combines
/// parts over disjoint slot ranges. `scores` is scratch of group * slots floats.
void axl_attention_part(const float *q, int group, int headDim, const float *keys, const float *values,
                        size_t slotStride, int slots, float scale, float *scores, float *out,
                        float *maxima, float *sums);

/// Merges `count` results of axl_attention_part for the same heads into the normalised attention
/// output of the group's heads (group * headDim floats at `out`). Part p starts at
/// parts + p * partStride and holds its out, then its maxima, then its sums, back to back.
void axl_attention_merge(const float *parts, int count, int group, int headDim, size_t partStride, float *out);

/// The exponential the softmax, SwiGLU and attention kernels use (exposed for tests).
float axl_exp(float x);

/// The vector path this build's kernels use: "neon-dotprod", "neon", "avx2-vnni", "avx2" or
/// "scalar".
const char *axl_kernel_path(void);

/// A hint to the core that the caller is spinning (x86 `pause`, aarch64 `yield`).
void axl_cpu_relax(void);

#ifdef __cplusplus
}
#endif
#endif
