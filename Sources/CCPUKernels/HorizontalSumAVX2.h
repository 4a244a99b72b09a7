// The sum of an AVX2 register's eight floats, which every x86-64 kernel ends its dot products with.
#ifndef AXL_HORIZONTAL_SUM_AVX2_H
#define AXL_HORIZONTAL_SUM_AVX2_H

#include <immintrin.h>

static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#endif
