#include "KernelPaths.h"

#if AXL_KERNELS_AVX512
#include <immintrin.h>
#include "DotProductAVX512.h"
#include "QuantBlocks.h"

// The AVX-512 matmuls of the default model's formats: two blocks of 32 per 512-bit register, so
// each u8 x s8 instruction covers 64 products (VPDPBUSD with AVX512-VNNI, VPMADDUBSW + VPMADDWD
// otherwise). Lanes 0-7 of a block pair's int32 sums belong to the first block, 8-15 to the
// second; the per-block scales are applied to them in f32 before the running sum.

// Sum of u8 x s8 products in groups of four, as sixteen int32 lanes.
static inline __m512i dot_u8s8(__m512i u, __m512i s) { return dot_u8s8_add(_mm512_setzero_si512(), u, s); }

// The pair's activations for one token: 64 int8, or the first block's 32 and zeros when the row
// ends on an odd block (a masked load, so nothing past the block is read).
static inline __m512i load_activations(const int8_t *a, int pair) {
    return pair ? _mm512_loadu_si512((const void *)a) : _mm512_maskz_loadu_epi8(0xFFFFFFFFull, a);
}

// The pair's weight scales times one token's activation scales, the first block's in lanes 0-7
// and the second's in lanes 8-15 (one multiply and one permute per token).
static inline __m512 pair_scales(__m128 weightScales, const float *da, int pair) {
    const __m128 activationScales = pair ? _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)da)) : _mm_load_ss(da);
    return _mm512_permutexvar_ps(_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
                                 _mm512_castps128_ps512(_mm_mul_ps(weightScales, activationScales)));
}

// Two q4 blocks' nibbles (16 bytes at each of two addresses) as 64 values in element order:
// [first's low nibbles, first's high nibbles, second's low, second's high].
static inline __m512i unpack_nibble_pair(const uint8_t *first, const uint8_t *second) {
    const __m256i packed = _mm256_set_m128i(_mm_loadu_si128((const __m128i *)second),
                                            _mm_loadu_si128((const __m128i *)first));
    // each block's 16 bytes twice (one cross-lane permute, where building the halves separately
    // took three shuffles and was slower than AVX2 for one token), the second copy shifted down
    // to its high nibbles
    const __m512i doubled = _mm512_permutexvar_epi64(_mm512_set_epi64(3, 2, 3, 2, 1, 0, 1, 0),
                                                     _mm512_castsi256_si512(packed));
    const long long four = 0x0004000400040004ll;
    const __m512i shifted = _mm512_srlv_epi16(doubled, _mm512_set_epi64(four, four, 0, 0, four, four, 0, 0));
    return _mm512_and_si512(shifted, _mm512_set1_epi8(0x0F));
}

// q4_1 and q4_0 share everything but the block layout and the constant part of a weight:
// q4_1: w = d*q + m (offset m); q4_0: w = d*(q - 8) (offset -8d). dot = Σ_b dw·da·Σ(q·a) +
// offset·da·Σa, the last factor being the activations' scaled sum xs. One step covers blocks b
// and b + 1, or only b when `pair` is 0 (a row with an odd number of blocks); it is always called
// with a constant `pair`, so the full-pair loop carries no tests for the tail.
static inline __attribute__((always_inline)) void step_q4(
    const uint8_t *row, int b, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, int hasMinimum, int pair, __m512 *acc, float *offsets) {
    const int bytes = hasMinimum ? Q4_1_BYTES : Q4_0_BYTES, nibbles = hasMinimum ? 4 : 2;
    const uint8_t *first = row + (size_t)b * bytes, *second = pair ? first + bytes : first;
    const float d0 = half(first), d1 = pair ? half(second) : 0.0f;
    const float o0 = hasMinimum ? half(first + 2) : -8.0f * d0;
    const float o1 = pair ? (hasMinimum ? half(second + 2) : -8.0f * d1) : 0.0f;
    const __m512i q = unpack_nibble_pair(first + nibbles, second + nibbles);
    const __m128 weightScales = _mm_setr_ps(d0, d1, 0.0f, 0.0f);
    for (int j = 0; j < nt; j++) {
        const __m512i a = load_activations(xq + (size_t)j * k + b * 32, pair);
        const float *da = xd + j * nb + b, *sa = xs + j * nb + b;
        const __m512 products = _mm512_cvtepi32_ps(dot_u8s8(q, a));
        acc[j] = _mm512_fmadd_ps(products, pair_scales(weightScales, da, pair), acc[j]);
        offsets[j] += o0 * sa[0] + (pair ? o1 * sa[1] : 0.0f);
    }
}

static inline __attribute__((always_inline)) void tile_q4(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, int hasMinimum, float *res) {
    __m512 acc[TILE];
    float offsets[TILE];
    for (int j = 0; j < nt; j++) { acc[j] = _mm512_setzero_ps(); offsets[j] = 0.0f; }
    int b = 0;
    for (; b + 2 <= nb; b += 2) step_q4(row, b, nb, k, xq, xd, xs, nt, hasMinimum, 1, acc, offsets);
    if (b < nb) step_q4(row, b, nb, k, xq, xd, xs, nt, hasMinimum, 0, acc, offsets);
    for (int j = 0; j < nt; j++) res[j] = _mm512_reduce_add_ps(acc[j]) + offsets[j];
}

static inline __attribute__((always_inline)) void tile_q4_0(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs, int nt, float *res) {
    tile_q4(row, nb, k, xq, xd, xs, nt, 0, res);
}

static inline __attribute__((always_inline)) void tile_q4_1(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs, int nt, float *res) {
    tile_q4(row, nb, k, xq, xd, xs, nt, 1, res);
}

// q8_0: signed x signed; the u8 x s8 instruction gets |w| and a negated where w is negative
// (AVX-512 has no VPSIGNB; |-128| = 128 still fits the unsigned operand). Steps as in step_q4.
static inline __attribute__((always_inline)) void step_q8_0(
    const uint8_t *row, int b, int nb, int k, const int8_t *xq, const float *xd, int nt, int pair,
    __m512 *acc) {
    const uint8_t *first = row + (size_t)b * Q8_0_BYTES;
    const float d0 = half(first), d1 = pair ? half(first + Q8_0_BYTES) : 0.0f;
    const __m256i low = _mm256_loadu_si256((const __m256i *)(first + 2));
    const __m256i high = pair ? _mm256_loadu_si256((const __m256i *)(first + Q8_0_BYTES + 2))
                              : _mm256_setzero_si256();
    const __m512i w = _mm512_inserti64x4(_mm512_castsi256_si512(low), high, 1);
    const __m512i magnitude = _mm512_abs_epi8(w);
    const __mmask64 negative = _mm512_movepi8_mask(w);
    const __m128 weightScales = _mm_setr_ps(d0, d1, 0.0f, 0.0f);
    for (int j = 0; j < nt; j++) {
        const __m512i a = load_activations(xq + (size_t)j * k + b * 32, pair);
        const __m512i signedA = _mm512_mask_sub_epi8(a, negative, _mm512_setzero_si512(), a);
        const float *da = xd + j * nb + b;
        const __m512 products = _mm512_cvtepi32_ps(dot_u8s8(magnitude, signedA));
        acc[j] = _mm512_fmadd_ps(products, pair_scales(weightScales, da, pair), acc[j]);
    }
}

static inline __attribute__((always_inline)) void tile_q8_0(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, float *res) {
    (void)xs;
    __m512 acc[TILE];
    for (int j = 0; j < nt; j++) acc[j] = _mm512_setzero_ps();
    int b = 0;
    for (; b + 2 <= nb; b += 2) step_q8_0(row, b, nb, k, xq, xd, nt, 1, acc);
    if (b < nb) step_q8_0(row, b, nb, k, xq, xd, nt, 0, acc);
    for (int j = 0; j < nt; j++) res[j] = _mm512_reduce_add_ps(acc[j]);
}

DEFINE_TILED_MATMUL(axl_avx512_matmul_q4_0, tile_q4_0)
static DEFINE_TILED_MATMUL(tiled_q4_1, tile_q4_1)

// A token's dot products must not depend on how many tokens the call has (a prompt's K/V rows and
// logits are the same whether its tokens are evaluated in one batch or one by one, which prefix
// reuse relies on), so one token and a batch take the same kernel for every row width.
void axl_avx512_matmul_q4_1(AXL_QUANTIZED_MATMUL_PARAMS) {
    if (k <= AXL_DECODE_MAX_K) {
        axl_avx512_decode_q4_1(w, rowBytes, rowBegin, rowEnd, k, xq, xd, xs, tokenCount, out, outStride);
    } else {
        tiled_q4_1(w, rowBytes, rowBegin, rowEnd, k, xq, xd, xs, tokenCount, out, outStride);
    }
}
DEFINE_TILED_MATMUL(axl_avx512_matmul_q8_0, tile_q8_0)

#endif
