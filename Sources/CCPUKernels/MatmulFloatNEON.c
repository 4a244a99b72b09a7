#include "KernelPaths.h"

#if AXL_KERNELS_NEON
#include <arm_neon.h>
#include "FloatElements.h"

// The aarch64 float-weight matmuls: weights widened to f32 eight at a time and reused for up to
// FLOAT_TILE tokens, so a batch reads and converts each weight once per tile rather than once per
// token.

typedef struct { float32x4_t low, high; } eight_floats;

// Weights are read as bytes: a GGUF row need not be aligned for its element type.
static inline eight_floats load8_f32(const uint8_t *p) {
    return (eight_floats){vreinterpretq_f32_u8(vld1q_u8(p)), vreinterpretq_f32_u8(vld1q_u8(p + 16))};
}

static inline eight_floats load8_f16(const uint8_t *p) {
    const float16x8_t h = vreinterpretq_f16_u8(vld1q_u8(p));
    return (eight_floats){vcvt_f32_f16(vget_low_f16(h)), vcvt_high_f32_f16(h)};
}

// bf16 is the top half of an f32: shifting it left by 16 is the exact conversion.
static inline eight_floats load8_bf16(const uint8_t *p) {
    const uint16x8_t h = vreinterpretq_u16_u8(vld1q_u8(p));
    return (eight_floats){vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(h), 16)),
                          vreinterpretq_f32_u32(vshll_high_n_u16(h, 16))};
}

// NAME's tile computes `nt` (1...FLOAT_TILE, a constant at each call so the token loops unroll)
// dot products of one row with consecutive tokens, converting each weight once for all of them:
// four accumulators per token keep consecutive FMAs independent, and 4 × FLOAT_TILE of them plus
// four weight vectors fit in the 32 registers.
#define NEON_FLOAT_MATMUL(NAME, LOAD8, LOAD1, ELEMENT_BYTES)                                   \
    static inline __attribute__((always_inline)) void NAME##_tile(                            \
        const uint8_t *row, int k, const float *x, int nt, float *res) {                      \
        float32x4_t acc[FLOAT_TILE][4];                                                       \
        for (int j = 0; j < nt; j++)                                                          \
            for (int a = 0; a < 4; a++) acc[j][a] = vdupq_n_f32(0.0f);                        \
        int i = 0;                                                                            \
        for (; i + 16 <= k; i += 16) {                                                        \
            const eight_floats w0 = LOAD8(row + (size_t)i * ELEMENT_BYTES);                   \
            const eight_floats w1 = LOAD8(row + (size_t)(i + 8) * ELEMENT_BYTES);             \
            for (int j = 0; j < nt; j++) {                                                    \
                const float *xt = x + (size_t)j * k + i;                                      \
                acc[j][0] = vfmaq_f32(acc[j][0], w0.low, vld1q_f32(xt));                      \
                acc[j][1] = vfmaq_f32(acc[j][1], w0.high, vld1q_f32(xt + 4));                 \
                acc[j][2] = vfmaq_f32(acc[j][2], w1.low, vld1q_f32(xt + 8));                  \
                acc[j][3] = vfmaq_f32(acc[j][3], w1.high, vld1q_f32(xt + 12));                \
            }                                                                                 \
        }                                                                                     \
        for (int j = 0; j < nt; j++) {                                                        \
            float sum = vaddvq_f32(vaddq_f32(vaddq_f32(acc[j][0], acc[j][1]),                 \
                                             vaddq_f32(acc[j][2], acc[j][3])));               \
            for (int e = i; e < k; e++)                                                       \
                sum += LOAD1(row + (size_t)e * ELEMENT_BYTES) * x[(size_t)j * k + e];         \
            res[j] = sum;                                                                     \
        }                                                                                     \
    }                                                                                         \
    DEFINE_TILED_FLOAT_MATMUL(NAME, NAME##_tile)

NEON_FLOAT_MATMUL(axl_neon_matmul_f32, load8_f32, load1_f32, 4)
NEON_FLOAT_MATMUL(axl_neon_matmul_f16, load8_f16, load1_f16, 2)
NEON_FLOAT_MATMUL(axl_neon_matmul_bf16, load8_bf16, load1_bf16, 2)

#endif
