#include "KernelPaths.h"

#if AXL_KERNELS_AVX2
#include <immintrin.h>
#include "FloatElements.h"
#include "HorizontalSumAVX2.h"

// The x86-64 float-weight matmuls: eight weights widened to f32 at a time (F16C's VCVTPH2PS for
// f16, a 16-bit shift for bf16, which is the top half of an f32) and reused for up to FLOAT_TILE
// tokens, so a batch reads and converts each weight once per tile rather than once per token.

static inline __m256 load8_f32(const uint8_t *p) { return _mm256_loadu_ps((const float *)p); }

#if defined(__F16C__)
static inline __m256 load8_f16(const uint8_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}
#endif

static inline __m256 load8_bf16(const uint8_t *p) {
    const __m256i widened = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(widened, 16));
}

// NAME's tile computes `nt` (1...FLOAT_TILE, a constant at each call so the token loops unroll)
// dot products of one row with consecutive tokens: two accumulators per token keep consecutive
// FMAs independent while 2 × FLOAT_TILE of them and two weight vectors fit in 16 registers.
#define AVX2_FLOAT_MATMUL(NAME, LOAD8, LOAD1, ELEMENT_BYTES)                                   \
    static inline __attribute__((always_inline)) void NAME##_tile(                            \
        const uint8_t *row, int k, const float *x, int nt, float *res) {                      \
        __m256 low[FLOAT_TILE], high[FLOAT_TILE];                                             \
        for (int j = 0; j < nt; j++) low[j] = high[j] = _mm256_setzero_ps();                  \
        int i = 0;                                                                            \
        for (; i + 16 <= k; i += 16) {                                                        \
            const __m256 w0 = LOAD8(row + (size_t)i * ELEMENT_BYTES);                         \
            const __m256 w1 = LOAD8(row + (size_t)(i + 8) * ELEMENT_BYTES);                   \
            for (int j = 0; j < nt; j++) {                                                    \
                const float *xt = x + (size_t)j * k + i;                                      \
                low[j] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(xt), low[j]);                    \
                high[j] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(xt + 8), high[j]);              \
            }                                                                                 \
        }                                                                                     \
        for (int j = 0; j < nt; j++) {                                                        \
            float sum = hsum(_mm256_add_ps(low[j], high[j]));                                 \
            for (int e = i; e < k; e++)                                                       \
                sum += LOAD1(row + (size_t)e * ELEMENT_BYTES) * x[(size_t)j * k + e];         \
            res[j] = sum;                                                                     \
        }                                                                                     \
    }                                                                                         \
    DEFINE_TILED_FLOAT_MATMUL(NAME, NAME##_tile)

AVX2_FLOAT_MATMUL(axl_avx2_matmul_f32, load8_f32, load1_f32, 4)
#if defined(__F16C__)
AVX2_FLOAT_MATMUL(axl_avx2_matmul_f16, load8_f16, load1_f16, 2)
#endif
AVX2_FLOAT_MATMUL(axl_avx2_matmul_bf16, load8_bf16, load1_bf16, 2)

#endif
