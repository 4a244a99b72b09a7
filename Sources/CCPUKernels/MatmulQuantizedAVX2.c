#include "KernelPaths.h"

#if AXL_KERNELS_AVX2
#include <immintrin.h>
#include "QuantBlocks.h"
#include "HorizontalSumAVX2.h"

// The x86-64 quantized matmuls: u8 x s8 products (AVX-VNNI where present), scaled in f32.

// Sum of u8 x s8 products in groups of four, as eight int32 lanes.
static inline __m256i dot_u8s8(__m256i u, __m256i s) {
#if defined(__AVXVNNI__)
    return _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), u, s);
#elif defined(__AVX512VNNI__) && defined(__AVX512VL__)
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s);
#else
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
#endif
}

static inline __m256i unpack_nibbles(const uint8_t *qs) {
    const __m128i packed = _mm_loadu_si128((const __m128i *)qs);
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// q4_1: w = d*q + m, so dot = sum_b (dw*da * sum(q*a) + m * da*sum(a)).
static inline __attribute__((always_inline)) void tile_q4_1(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, float *res) {
    __m256 acc[TILE];
    float mins[TILE];
    for (int j = 0; j < nt; j++) { acc[j] = _mm256_setzero_ps(); mins[j] = 0.0f; }
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q4_1_BYTES;
        const float dw = half(block), mw = half(block + 2);
        const __m256i q = unpack_nibbles(block + 4);
        for (int j = 0; j < nt; j++) {
            const __m256i a = _mm256_loadu_si256((const __m256i *)(xq + (size_t)j * k + b * 32));
            const __m256 products = _mm256_cvtepi32_ps(dot_u8s8(q, a));
            acc[j] = _mm256_fmadd_ps(products, _mm256_set1_ps(dw * xd[j * nb + b]), acc[j]);
            mins[j] += mw * xs[j * nb + b];
        }
    }
    for (int j = 0; j < nt; j++) res[j] = hsum(acc[j]) + mins[j];
}

// q4_0: w = d*(q - 8), so dot = sum_b (dw*da * sum(q*a) - 8 * dw * da*sum(a)).
static inline __attribute__((always_inline)) void tile_q4_0(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, float *res) {
    __m256 acc[TILE];
    float offsets[TILE];
    for (int j = 0; j < nt; j++) { acc[j] = _mm256_setzero_ps(); offsets[j] = 0.0f; }
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q4_0_BYTES;
        const float dw = half(block);
        const __m256i q = unpack_nibbles(block + 2);
        for (int j = 0; j < nt; j++) {
            const __m256i a = _mm256_loadu_si256((const __m256i *)(xq + (size_t)j * k + b * 32));
            const __m256 products = _mm256_cvtepi32_ps(dot_u8s8(q, a));
            acc[j] = _mm256_fmadd_ps(products, _mm256_set1_ps(dw * xd[j * nb + b]), acc[j]);
            offsets[j] += dw * xs[j * nb + b];
        }
    }
    for (int j = 0; j < nt; j++) res[j] = hsum(acc[j]) - 8.0f * offsets[j];
}

// q8_0: signed x signed; the u8 x s8 instruction gets |w| and a with w's sign applied.
static inline __attribute__((always_inline)) void tile_q8_0(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, float *res) {
    (void)xs;
    __m256 acc[TILE];
    for (int j = 0; j < nt; j++) acc[j] = _mm256_setzero_ps();
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q8_0_BYTES;
        const float dw = half(block);
        const __m256i w = _mm256_loadu_si256((const __m256i *)(block + 2));
        const __m256i magnitude = _mm256_sign_epi8(w, w);
        for (int j = 0; j < nt; j++) {
            const __m256i a = _mm256_loadu_si256((const __m256i *)(xq + (size_t)j * k + b * 32));
            const __m256 products = _mm256_cvtepi32_ps(dot_u8s8(magnitude, _mm256_sign_epi8(a, w)));
            acc[j] = _mm256_fmadd_ps(products, _mm256_set1_ps(dw * xd[j * nb + b]), acc[j]);
        }
    }
    for (int j = 0; j < nt; j++) res[j] = hsum(acc[j]);
}

// A q5 block's 32 five-bit values, one per byte: the nibbles with bit e of qh moved to bit 4 of
// byte e (each byte picks its qh byte with a shuffle, then tests its own bit).
static inline __m256i unpack_five_bits(const uint8_t *qh, const uint8_t *qs) {
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32((int)fifth_bits(qh)),
        _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                         2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ull);
    const __m256i isSet = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
    return _mm256_or_si256(unpack_nibbles(qs), _mm256_and_si256(isSet, _mm256_set1_epi8(0x10)));
}

// q5_0: w = d*(q - 16); q5_1: w = d*q + m. `offset` is -16·d or m, times da·Σa.
static inline __attribute__((always_inline)) void tile_q5(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, int hasMinimum, float *res) {
    const int bytes = hasMinimum ? Q5_1_BYTES : Q5_0_BYTES, bits = hasMinimum ? 4 : 2;
    __m256 acc[TILE];
    float offsets[TILE];
    for (int j = 0; j < nt; j++) { acc[j] = _mm256_setzero_ps(); offsets[j] = 0.0f; }
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * bytes;
        const float dw = half(block), offset = hasMinimum ? half(block + 2) : -16.0f * dw;
        const __m256i q = unpack_five_bits(block + bits, block + bits + 4);
        for (int j = 0; j < nt; j++) {
            const __m256i a = _mm256_loadu_si256((const __m256i *)(xq + (size_t)j * k + b * 32));
            const __m256 products = _mm256_cvtepi32_ps(dot_u8s8(q, a));
            acc[j] = _mm256_fmadd_ps(products, _mm256_set1_ps(dw * xd[j * nb + b]), acc[j]);
            offsets[j] += offset * xs[j * nb + b];
        }
    }
    for (int j = 0; j < nt; j++) res[j] = hsum(acc[j]) + offsets[j];
}

static inline __attribute__((always_inline)) void tile_q5_0(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs, int nt, float *res) {
    tile_q5(row, nb, k, xq, xd, xs, nt, 0, res);
}

static inline __attribute__((always_inline)) void tile_q5_1(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs, int nt, float *res) {
    tile_q5(row, nb, k, xq, xd, xs, nt, 1, res);
}

DEFINE_TILED_MATMUL(axl_avx2_matmul_q5_0, tile_q5_0)
DEFINE_TILED_MATMUL(axl_avx2_matmul_q5_1, tile_q5_1)
DEFINE_TILED_MATMUL(axl_avx2_matmul_q4_0, tile_q4_0)
DEFINE_TILED_MATMUL(axl_avx2_matmul_q4_1, tile_q4_1)
DEFINE_TILED_MATMUL(axl_avx2_matmul_q8_0, tile_q8_0)

#endif
