#include "KernelPaths.h"

#if AXL_KERNELS_AVX2
#include <immintrin.h>
#include "KQuantBlocks.h"
#include "HorizontalSumAVX2.h"

// The x86-64 K-quant matmuls. Each tile computes `nt` (1...TILE) tokens' dot products with one
// weight row, unpacking each 32-weight chunk once and reusing it for every token. Per
// super-block the products stay in int32 (u8×s8 pairs in int16, then × the chunk's scale into
// int32); one float multiply-add per super-block and token applies d and the activation scale.

// Σ u8·s8 over 32 bytes, each adjacent pair's products summed into int16 (no saturation for
// weights below 64 and int8 activations), then scaled by `scale` (int16 lanes) into int32.
static inline __m256i scaled_dot(__m256i q, __m256i a, __m256i scale) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(q, a), scale);
}

static inline __attribute__((always_inline)) void tile_q4_k_q5_k(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const int16_t *xsums,
    int nt, int hasFifthBit, float *res) {
    const int bytes = hasFifthBit ? Q5_K_BYTES : Q4_K_BYTES;
    const __m256i lowNibble = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    __m256 acc[TILE];
    float mins[TILE];
    for (int j = 0; j < nt; j++) { acc[j] = _mm256_setzero_ps(); mins[j] = 0.0f; }
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * bytes;
        const uint8_t *qs = block + (hasFifthBit ? 48 : 16);
        uint8_t sc[8], m[8];
        scales_and_mins(block + 4, sc, m);
        const __m256i fifth = hasFifthBit ? _mm256_loadu_si256((const __m256i *)(block + 16)) : _mm256_setzero_si256();
        __m256i sum[TILE];
        for (int j = 0; j < nt; j++) sum[j] = _mm256_setzero_si256();
        for (int pair = 0; pair < 4; pair++) {
            const __m256i packed = _mm256_loadu_si256((const __m256i *)(qs + 32 * pair));
            __m256i q0 = _mm256_and_si256(packed, lowNibble);
            __m256i q1 = _mm256_and_si256(_mm256_srli_epi16(packed, 4), lowNibble);
            if (hasFifthBit) {
                // bit c of each qh byte, moved to bit 4 (16-bit shifts; the mask keeps each byte's own bit)
                const int c = 2 * pair;
                q0 = _mm256_or_si256(q0, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(fifth, c), one), 4));
                q1 = _mm256_or_si256(q1, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(fifth, c + 1), one), 4));
            }
            const __m256i s0 = _mm256_set1_epi16(sc[2 * pair]), s1 = _mm256_set1_epi16(sc[2 * pair + 1]);
            for (int j = 0; j < nt; j++) {
                const int8_t *a = xq + (size_t)j * k + b * QK + 64 * pair;
                const __m256i a0 = _mm256_loadu_si256((const __m256i *)a);
                const __m256i a1 = _mm256_loadu_si256((const __m256i *)(a + 32));
                sum[j] = _mm256_add_epi32(sum[j], _mm256_add_epi32(scaled_dot(q0, a0, s0), scaled_dot(q1, a1, s1)));
            }
        }
        const float d = half(block), dmin = half(block + 2);
        for (int j = 0; j < nt; j++) {
            const float ad = xd[j * nb + b];
            acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum[j]), _mm256_set1_ps(d * ad), acc[j]);
            mins[j] += dmin * ad * (float)min_products(m, xsums + ((size_t)j * nb + b) * 16);
        }
    }
    for (int j = 0; j < nt; j++) res[j] = hsum(acc[j]) - mins[j];
}

static inline __attribute__((always_inline)) void tile_q4_k(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const int16_t *xsums, int nt, float *res) {
    tile_q4_k_q5_k(row, nb, k, xq, xd, xsums, nt, 0, res);
}

static inline __attribute__((always_inline)) void tile_q5_k(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const int16_t *xsums, int nt, float *res) {
    tile_q4_k_q5_k(row, nb, k, xq, xd, xsums, nt, 1, res);
}

static inline __attribute__((always_inline)) void tile_q6_k(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const int16_t *xsums, int nt, float *res) {
    const __m256i lowNibble = _mm256_set1_epi8(0x0F), lowTwoBits = _mm256_set1_epi8(3);
    __m256 acc[TILE];
    for (int j = 0; j < nt; j++) acc[j] = _mm256_setzero_ps();
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q6_K_BYTES;
        const int8_t *sc = (const int8_t *)(block + 192);
        __m256i sum[TILE];
        for (int j = 0; j < nt; j++) sum[j] = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const __m256i ql0 = _mm256_loadu_si256((const __m256i *)(block + 64 * h));
            const __m256i ql1 = _mm256_loadu_si256((const __m256i *)(block + 64 * h + 32));
            const __m256i qh = _mm256_loadu_si256((const __m256i *)(block + 128 + 32 * h));
            __m256i q[4];
            q[0] = _mm256_and_si256(ql0, lowNibble);
            q[1] = _mm256_and_si256(ql1, lowNibble);
            q[2] = _mm256_and_si256(_mm256_srli_epi16(ql0, 4), lowNibble);
            q[3] = _mm256_and_si256(_mm256_srli_epi16(ql1, 4), lowNibble);
            for (int g = 0; g < 4; g++) {
                const __m256i high = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * g), lowTwoBits);
                q[g] = _mm256_or_si256(q[g], _mm256_slli_epi16(high, 4));
            }
            for (int g = 0; g < 4; g++) {
                // chunk c covers scale groups 2c (first 16 weights) and 2c + 1
                const int c = 4 * h + g;
                const __m256i scale = _mm256_set_m128i(_mm_set1_epi16(sc[2 * c + 1]), _mm_set1_epi16(sc[2 * c]));
                for (int j = 0; j < nt; j++) {
                    const __m256i a = _mm256_loadu_si256((const __m256i *)(xq + (size_t)j * k + b * QK + 32 * c));
                    sum[j] = _mm256_add_epi32(sum[j], scaled_dot(q[g], a, scale));
                }
            }
        }
        const float d = half(block + 208);
        for (int j = 0; j < nt; j++) {
            // the −32 offset of every weight, through the activation sums of 16
            const int16_t *sums = xsums + ((size_t)j * nb + b) * 16;
            int offset = 0;
            for (int group = 0; group < 16; group++) offset += sc[group] * sums[group];
            const __m256i total = _mm256_sub_epi32(sum[j], _mm256_setr_epi32(32 * offset, 0, 0, 0, 0, 0, 0, 0));
            acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(total), _mm256_set1_ps(d * xd[j * nb + b]), acc[j]);
        }
    }
    for (int j = 0; j < nt; j++) res[j] = hsum(acc[j]);
}

DEFINE_TILED_K_MATMUL(axl_avx2_matmul_q4_k, tile_q4_k)
DEFINE_TILED_K_MATMUL(axl_avx2_matmul_q5_k, tile_q5_k)
DEFINE_TILED_K_MATMUL(axl_avx2_matmul_q6_k, tile_q6_k)

#endif
