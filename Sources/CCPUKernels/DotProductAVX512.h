// The u8 x s8 dot product the 512-bit kernels are built on: VPDPBUSD with AVX512-VNNI, VPMADDUBSW
// + VPMADDWD otherwise (exact for the operands used here: |u·s| pairs stay within int16).
#ifndef AXL_DOT_PRODUCT_AVX512_H
#define AXL_DOT_PRODUCT_AVX512_H

#include <immintrin.h>

// acc + the products of 64 u8 x s8 pairs, summed in groups of four into sixteen int32 lanes.
static inline __m512i dot_u8s8_add(__m512i acc, __m512i u, __m512i s) {
#if defined(__AVX512VNNI__)
    return _mm512_dpbusd_epi32(acc, u, s);
#else
    return _mm512_add_epi32(acc, _mm512_madd_epi16(_mm512_maddubs_epi16(u, s), _mm512_set1_epi16(1)));
#endif
}

#endif
