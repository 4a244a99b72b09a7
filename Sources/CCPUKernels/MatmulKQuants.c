#include "KernelPaths.h"
#include <string.h>

#if AXL_KERNELS_AVX2
#include <immintrin.h>
#endif

// K-quant super-blocks of 256 weights (ggml-common.h):
//   q4_K: f16 d, f16 dmin, 12 bytes of 6-bit scales and mins, 128 bytes of nibbles (144 bytes);
//         w = d·sc[c]·q − dmin·m[c] for sub-block c of 32.
//   q5_K: as q4_K plus 32 bytes holding each weight's fifth bit, before the nibbles (176 bytes).
//   q6_K: 128 bytes of low nibbles, 64 bytes of 2-bit highs, 16 int8 scales, f16 d (210 bytes);
//         w = d·sc[e/16]·(q − 32).
// Element 32c + l of a q4_K/q5_K block is the low (c even) or high (c odd) nibble of byte
// 32·(c/2) + l, with its fifth bit at bit c of qh[l]. Element 128h + 32g + l of a q6_K block
// takes the low (g < 2) or high nibble of ql[64h + 32·(g&1) + l] and bits 2g, 2g+1 of qh[32h + l].
enum { Q4_K_BYTES = 144, Q5_K_BYTES = 176, Q6_K_BYTES = 210, QK = 256 };

#define TILE 4

static inline float half(const uint8_t *p) {
    _Float16 v;
    memcpy(&v, p, 2);
    return (float)v;
}

// The eight 6-bit scales and mins of a q4_K/q5_K block (ggml get_scale_min_k4).
static inline void scales_and_mins(const uint8_t *packed, uint8_t *sc, uint8_t *m) {
    for (int j = 0; j < 4; j++) {
        sc[j] = packed[j] & 63;
        m[j] = packed[j + 4] & 63;
        sc[j + 4] = (packed[j + 8] & 0x0F) | ((packed[j] >> 6) << 4);
        m[j + 4] = (packed[j + 8] >> 4) | ((packed[j + 4] >> 6) << 4);
    }
}

// Σ_c m[c]·(sum of the activations of sub-block c), from the Q8_K sums of 16.
static inline int min_products(const uint8_t *m, const int16_t *sums) {
    int total = 0;
    for (int c = 0; c < 8; c++) total += m[c] * (sums[2 * c] + sums[2 * c + 1]);
    return total;
}

// ---------------------------------------------------------------- portable scalar kernels

static inline int q4_k_value(const uint8_t *qs, int e) {
    const int c = e / 32, l = e % 32;
    return (qs[32 * (c / 2) + l] >> (4 * (c & 1))) & 0x0F;
}

static float dot_q4_k_q5_k_ref(const uint8_t *row, int nb, const int8_t *a, const float *ad,
                               const int16_t *sums, int hasFifthBit) {
    const int bytes = hasFifthBit ? Q5_K_BYTES : Q4_K_BYTES;
    float total = 0.0f;
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * bytes;
        const uint8_t *qh = block + 16, *qs = block + (hasFifthBit ? 48 : 16);
        uint8_t sc[8], m[8];
        scales_and_mins(block + 4, sc, m);
        int scaled = 0;
        for (int c = 0; c < 8; c++) {
            int dot = 0;
            for (int l = 0; l < 32; l++) {
                int q = q4_k_value(qs, 32 * c + l);
                if (hasFifthBit) q |= ((qh[l] >> c) & 1) << 4;
                dot += q * a[b * QK + 32 * c + l];
            }
            scaled += sc[c] * dot;
        }
        const int mins = min_products(m, sums + b * 16);
        total += ad[b] * (half(block) * (float)scaled - half(block + 2) * (float)mins);
    }
    return total;
}

static float dot_q6_k_ref(const uint8_t *row, int nb, const int8_t *a, const float *ad, const int16_t *sums) {
    float total = 0.0f;
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q6_K_BYTES;
        const uint8_t *ql = block, *qh = block + 128;
        const int8_t *sc = (const int8_t *)(block + 192);
        int scaled = 0;
        for (int group = 0; group < 16; group++) {
            int dot = 0;
            for (int i = 0; i < 16; i++) {
                const int e = 16 * group + i, h = e / 128, g = (e % 128) / 32, l = e % 32;
                const int low = (ql[64 * h + 32 * (g & 1) + l] >> (g < 2 ? 0 : 4)) & 0x0F;
                const int high = (qh[32 * h + l] >> (2 * g)) & 3;
                dot += (low | (high << 4)) * a[b * QK + e];
            }
            // the −32 offset is applied through the activation sums
            scaled += sc[group] * (dot - 32 * sums[b * 16 + group]);
        }
        total += ad[b] * half(block + 208) * (float)scaled;
    }
    return total;
}

#define REFERENCE_MATMUL(NAME, DOT)                                                            \
    void NAME(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,             \
              const int8_t *xq, const float *xd, const int16_t *xsums, int tokenCount,         \
              float *out, size_t outStride) {                                                 \
        const int nb = k / QK;                                                                \
        for (int r = rowBegin; r < rowEnd; r++)                                               \
            for (int t = 0; t < tokenCount; t++)                                              \
                out[(size_t)t * outStride + r] =                                              \
                    DOT(w + (size_t)r * rowBytes, nb, xq + (size_t)t * k, xd + (size_t)t * nb, \
                        xsums + (size_t)t * nb * 16);                                          \
    }

#define DOT_Q4_K(row, nb, a, ad, sums) dot_q4_k_q5_k_ref(row, nb, a, ad, sums, 0)
#define DOT_Q5_K(row, nb, a, ad, sums) dot_q4_k_q5_k_ref(row, nb, a, ad, sums, 1)
REFERENCE_MATMUL(axl_matmul_q4_k_ref, DOT_Q4_K)
REFERENCE_MATMUL(axl_matmul_q5_k_ref, DOT_Q5_K)
REFERENCE_MATMUL(axl_matmul_q6_k_ref, dot_q6_k_ref)

#if AXL_KERNELS_AVX2
// ---------------------------------------------------------------- AVX2 kernels
// Each tile computes `nt` (1...TILE) tokens' dot products with one weight row, unpacking each
// 32-weight chunk once and reusing it for every token. Per super-block the products stay in
// int32 (u8×s8 pairs in int16, then × the chunk's scale into int32); one float multiply-add per
// super-block and token applies d and the activation scale.

static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

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

#define K_QUANT_MATMUL(NAME, TILE_FN)                                                          \
    void NAME(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,             \
              const int8_t *xq, const float *xd, const int16_t *xsums, int tokenCount,         \
              float *out, size_t outStride) {                                                 \
        const int nb = k / QK;                                                                \
        float res[TILE];                                                                      \
        for (int r = rowBegin; r < rowEnd; r++) {                                             \
            const uint8_t *row = w + (size_t)r * rowBytes;                                    \
            int t = 0;                                                                        \
            for (; t + TILE <= tokenCount; t += TILE) {                                       \
                TILE_FN(row, nb, k, xq + (size_t)t * k, xd + (size_t)t * nb,                  \
                        xsums + (size_t)t * nb * 16, TILE, res);                              \
                for (int j = 0; j < TILE; j++) out[(size_t)(t + j) * outStride + r] = res[j]; \
            }                                                                                 \
            for (; t < tokenCount; t++) {                                                     \
                TILE_FN(row, nb, k, xq + (size_t)t * k, xd + (size_t)t * nb,                  \
                        xsums + (size_t)t * nb * 16, 1, res);                                 \
                out[(size_t)t * outStride + r] = res[0];                                      \
            }                                                                                 \
        }                                                                                     \
    }

K_QUANT_MATMUL(axl_matmul_q4_k, tile_q4_k)
K_QUANT_MATMUL(axl_matmul_q5_k, tile_q5_k)
K_QUANT_MATMUL(axl_matmul_q6_k, tile_q6_k)

#else
// Without a vectorised K-quant kernel for this path (NEON, or the forced scalar path), the
// portable ones serve.
#define FORWARD_TO_REFERENCE(NAME)                                                             \
    void NAME(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,             \
              const int8_t *xq, const float *xd, const int16_t *xsums, int tokenCount,         \
              float *out, size_t outStride) {                                                 \
        NAME##_ref(w, rowBytes, rowBegin, rowEnd, k, xq, xd, xsums, tokenCount, out, outStride); \
    }
FORWARD_TO_REFERENCE(axl_matmul_q4_k)
FORWARD_TO_REFERENCE(axl_matmul_q5_k)
FORWARD_TO_REFERENCE(axl_matmul_q6_k)
#endif
