#include "KernelPaths.h"

#if AXL_KERNELS_NEON
#include <arm_neon.h>

// The scalar path's activation quantizers (Quantize.c) with the values in f32x4 registers.
// FCVTNS rounds to nearest with ties to even, as nearbyintf does in the default rounding mode,
// so both paths produce the same bytes.

// The largest |x| of n values (a multiple of 4).
static inline float max_magnitude(const float *x, int n) {
    float32x4_t amax = vdupq_n_f32(0.0f);
    for (int i = 0; i < n; i += 4) amax = vmaxq_f32(amax, vabsq_f32(vld1q_f32(x + i)));
    return vmaxvq_f32(amax);
}

// x[0..<16] * inverse rounded to int8 into q; returns their sum.
static inline int32_t quantize_16(const float *x, float inverse, int8_t *q) {
    int32x4_t ints[4];
    for (int i = 0; i < 4; i++) ints[i] = vcvtnq_s32_f32(vmulq_n_f32(vld1q_f32(x + 4 * i), inverse));
    const int16x8_t lo = vcombine_s16(vqmovn_s32(ints[0]), vqmovn_s32(ints[1]));
    const int16x8_t hi = vcombine_s16(vqmovn_s32(ints[2]), vqmovn_s32(ints[3]));
    vst1q_s8(q, vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi)));
    return vaddvq_s32(vaddq_s32(vaddq_s32(ints[0], ints[1]), vaddq_s32(ints[2], ints[3])));
}

void axl_neon_quantize_row_q8(const float *x, int n, int8_t *q, float *d, float *s) {
    for (int b = 0; b < n / 32; b++) {
        const float *xb = x + (size_t)b * 32;
        const float scale = max_magnitude(xb, 32) / 127.0f;
        const float inverse = scale != 0.0f ? 1.0f / scale : 0.0f;
        const int32_t sum = quantize_16(xb, inverse, q + (size_t)b * 32) +
                            quantize_16(xb + 16, inverse, q + (size_t)b * 32 + 16);
        d[b] = scale;
        s[b] = scale * (float)sum;
    }
}

void axl_neon_quantize_row_q8_k(const float *x, int n, int8_t *q, float *d, int16_t *sums) {
    for (int b = 0; b < n / 256; b++) {
        const float *xb = x + (size_t)b * 256;
        const float scale = max_magnitude(xb, 256) / 127.0f;
        const float inverse = scale != 0.0f ? 1.0f / scale : 0.0f;
        for (int group = 0; group < 16; group++)
            sums[b * 16 + group] = (int16_t)quantize_16(xb + 16 * group, inverse, q + (size_t)b * 256 + 16 * group);
        d[b] = scale;
    }
}

#endif
