// The signed 8-bit dot product every aarch64 quantized kernel is built on: SDOT on cores with
// the dot-product extension (the Raspberry Pi 5's Cortex-A76), widening multiplies otherwise.
#ifndef AXL_DOT_PRODUCT_NEON_H
#define AXL_DOT_PRODUCT_NEON_H

#include <arm_neon.h>

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

#endif
