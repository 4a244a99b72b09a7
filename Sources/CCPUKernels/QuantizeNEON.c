#include "KernelPaths.h"

#if AXL_KERNELS_NEON
#include <arm_neon.h>

// The scalar path's activation quantization (Quantize.c) with the block in eight f32x4
// registers. FCVTNS rounds to nearest with ties to even, as nearbyintf does in the default
// rounding mode, so both paths produce the same bytes.
void axl_neon_quantize_row_q8(const float *x, int n, int8_t *q, float *d, float *s) {
    for (int b = 0; b < n / 32; b++) {
        const float *xb = x + (size_t)b * 32;
        float32x4_t v[8];
        float32x4_t amax = vdupq_n_f32(0.0f);
        for (int i = 0; i < 8; i++) {
            v[i] = vld1q_f32(xb + 4 * i);
            amax = vmaxq_f32(amax, vabsq_f32(v[i]));
        }
        const float scale = vmaxvq_f32(amax) / 127.0f;
        const float inverse = scale != 0.0f ? 1.0f / scale : 0.0f;
        int32x4_t ints[8];
        int32x4_t sum = vdupq_n_s32(0);
        for (int i = 0; i < 8; i++) {
            ints[i] = vcvtnq_s32_f32(vmulq_n_f32(v[i], inverse));
            sum = vaddq_s32(sum, ints[i]);
        }
        for (int part = 0; part < 2; part++) {
            const int32x4_t *c = ints + 4 * part;
            const int16x8_t lo = vcombine_s16(vqmovn_s32(c[0]), vqmovn_s32(c[1]));
            const int16x8_t hi = vcombine_s16(vqmovn_s32(c[2]), vqmovn_s32(c[3]));
            vst1q_s8(q + (size_t)b * 32 + 16 * part, vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi)));
        }
        d[b] = scale;
        s[b] = scale * (float)vaddvq_s32(sum);
    }
}

#endif
