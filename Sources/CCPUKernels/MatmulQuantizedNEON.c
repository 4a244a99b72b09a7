#include "KernelPaths.h"

#if AXL_KERNELS_NEON
#include <arm_neon.h>
#include "QuantBlocks.h"

// The aarch64 quantized matmuls: signed 8-bit dot products per block (SDOT on cores with the
// dot-product extension, such as the Raspberry Pi 5's Cortex-A76), scaled in f32.

// acc + the products of 16 int8 pairs, summed in groups of four into four int32 lanes.
static inline int32x4_t dot_s8(int32x4_t acc, int8x16_t a, int8x16_t b) {
#if defined(__ARM_FEATURE_DOTPROD)
    return vdotq_s32(acc, a, b);
#else
    // Cores without SDOT (Cortex-A72): widen to int16 (|a*b| <= 2^14 fits) and pairwise add.
    acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(a), vget_low_s8(b)));
    return vpadalq_s16(acc, vmull_high_s8(a, b));
#endif
}

// The 32 activations of block b of token j, as two vectors.
static inline int32x4_t dot_block(int8x16_t low, int8x16_t high, const int8_t *a) {
    return dot_s8(dot_s8(vdupq_n_s32(0), low, vld1q_s8(a)), high, vld1q_s8(a + 16));
}

// q4_1: w = d*q + m, so dot = sum_b (dw*da * sum(q*a) + m * da*sum(a)). The nibbles 0...15
// are valid signed bytes, so SDOT multiplies them with the activations as they are.
static inline __attribute__((always_inline)) void tile_q4_1(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, float *res) {
    float32x4_t acc[TILE];
    float mins[TILE];
    for (int j = 0; j < nt; j++) { acc[j] = vdupq_n_f32(0.0f); mins[j] = 0.0f; }
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q4_1_BYTES;
        const float dw = half(block), mw = half(block + 2);
        const uint8x16_t packed = vld1q_u8(block + 4);
        const int8x16_t low = vreinterpretq_s8_u8(vandq_u8(packed, vdupq_n_u8(0x0F)));
        const int8x16_t high = vreinterpretq_s8_u8(vshrq_n_u8(packed, 4));
        for (int j = 0; j < nt; j++) {
            const int32x4_t sum = dot_block(low, high, xq + (size_t)j * k + b * 32);
            acc[j] = vfmaq_n_f32(acc[j], vcvtq_f32_s32(sum), dw * xd[j * nb + b]);
            mins[j] += mw * xs[j * nb + b];
        }
    }
    for (int j = 0; j < nt; j++) res[j] = vaddvq_f32(acc[j]) + mins[j];
}

// q4_0: w = d*(q - 8), so dot = sum_b (dw*da * sum(q*a) - 8 * dw * da*sum(a)).
static inline __attribute__((always_inline)) void tile_q4_0(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, float *res) {
    float32x4_t acc[TILE];
    float offsets[TILE];
    for (int j = 0; j < nt; j++) { acc[j] = vdupq_n_f32(0.0f); offsets[j] = 0.0f; }
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q4_0_BYTES;
        const float dw = half(block);
        const uint8x16_t packed = vld1q_u8(block + 2);
        const int8x16_t low = vreinterpretq_s8_u8(vandq_u8(packed, vdupq_n_u8(0x0F)));
        const int8x16_t high = vreinterpretq_s8_u8(vshrq_n_u8(packed, 4));
        for (int j = 0; j < nt; j++) {
            const int32x4_t sum = dot_block(low, high, xq + (size_t)j * k + b * 32);
            acc[j] = vfmaq_n_f32(acc[j], vcvtq_f32_s32(sum), dw * xd[j * nb + b]);
            offsets[j] += dw * xs[j * nb + b];
        }
    }
    for (int j = 0; j < nt; j++) res[j] = vaddvq_f32(acc[j]) - 8.0f * offsets[j];
}

// q8_0: signed x signed, SDOT's own form.
static inline __attribute__((always_inline)) void tile_q8_0(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, float *res) {
    (void)xs;
    float32x4_t acc[TILE];
    for (int j = 0; j < nt; j++) acc[j] = vdupq_n_f32(0.0f);
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q8_0_BYTES;
        const float dw = half(block);
        const int8x16_t low = vld1q_s8((const int8_t *)(block + 2));
        const int8x16_t high = vld1q_s8((const int8_t *)(block + 18));
        for (int j = 0; j < nt; j++) {
            const int32x4_t sum = dot_block(low, high, xq + (size_t)j * k + b * 32);
            acc[j] = vfmaq_n_f32(acc[j], vcvtq_f32_s32(sum), dw * xd[j * nb + b]);
        }
    }
    for (int j = 0; j < nt; j++) res[j] = vaddvq_f32(acc[j]);
}

DEFINE_TILED_MATMUL(axl_neon_matmul_q4_0, tile_q4_0)
DEFINE_TILED_MATMUL(axl_neon_matmul_q4_1, tile_q4_1)
DEFINE_TILED_MATMUL(axl_neon_matmul_q8_0, tile_q8_0)

#endif
