#include "KernelPaths.h"

#if AXL_KERNELS_NEON
#include <arm_neon.h>
#include <string.h>

// The aarch64 float-weight matmuls: weights widened to f32 eight at a time, four f32x4
// accumulators per dot product so consecutive FMAs do not wait on each other.

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

static inline float load1_f32(const uint8_t *p) {
    float v;
    memcpy(&v, p, 4);
    return v;
}

static inline float load1_f16(const uint8_t *p) {
    _Float16 v;
    memcpy(&v, p, 2);
    return (float)v;
}

static inline float load1_bf16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    const uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

#define NEON_FLOAT_MATMUL(NAME, LOAD8, LOAD1, ELEMENT_BYTES)                                   \
    void NAME(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,             \
              const float *x, int tokenCount, float *out, size_t outStride) {                 \
        for (int r = rowBegin; r < rowEnd; r++) {                                             \
            const uint8_t *row = w + (size_t)r * rowBytes;                                    \
            for (int t = 0; t < tokenCount; t++) {                                            \
                const float *xt = x + (size_t)t * k;                                          \
                float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;                \
                int i = 0;                                                                    \
                for (; i + 16 <= k; i += 16) {                                                \
                    const eight_floats w0 = LOAD8(row + (size_t)i * ELEMENT_BYTES);           \
                    const eight_floats w1 = LOAD8(row + (size_t)(i + 8) * ELEMENT_BYTES);     \
                    a0 = vfmaq_f32(a0, w0.low, vld1q_f32(xt + i));                            \
                    a1 = vfmaq_f32(a1, w0.high, vld1q_f32(xt + i + 4));                       \
                    a2 = vfmaq_f32(a2, w1.low, vld1q_f32(xt + i + 8));                        \
                    a3 = vfmaq_f32(a3, w1.high, vld1q_f32(xt + i + 12));                      \
                }                                                                             \
                float sum = vaddvq_f32(vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3)));      \
                for (; i < k; i++) sum += LOAD1(row + (size_t)i * ELEMENT_BYTES) * xt[i];     \
                out[(size_t)t * outStride + r] = sum;                                         \
            }                                                                                 \
        }                                                                                     \
    }

NEON_FLOAT_MATMUL(axl_neon_matmul_f32, load8_f32, load1_f32, 4)
NEON_FLOAT_MATMUL(axl_neon_matmul_f16, load8_f16, load1_f16, 2)
NEON_FLOAT_MATMUL(axl_neon_matmul_bf16, load8_bf16, load1_bf16, 2)

#endif
