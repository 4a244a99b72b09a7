#include "KernelPaths.h"
#include "KQuantBlocks.h"

// The portable K-quant matmuls: one weight at a time, integer sums per sub-block scaled in f32
// once per super-block, as the vector paths do (so they agree up to float rounding).

static inline int q4_k_value(const uint8_t *qs, int e) {
    const int c = e / 32, l = e % 32;
    return (qs[32 * (c / 2) + l] >> (4 * (c & 1))) & 0x0F;
}

static float dot_q4_k_q5_k(const uint8_t *row, int nb, const int8_t *a, const float *ad,
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

static float dot_q6_k(const uint8_t *row, int nb, const int8_t *a, const float *ad, const int16_t *sums) {
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

#define SCALAR_K_MATMUL(NAME, DOT)                                                             \
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

#define DOT_Q4_K(row, nb, a, ad, sums) dot_q4_k_q5_k(row, nb, a, ad, sums, 0)
#define DOT_Q5_K(row, nb, a, ad, sums) dot_q4_k_q5_k(row, nb, a, ad, sums, 1)
SCALAR_K_MATMUL(axl_scalar_matmul_q4_k, DOT_Q4_K)
SCALAR_K_MATMUL(axl_scalar_matmul_q5_k, DOT_Q5_K)
SCALAR_K_MATMUL(axl_scalar_matmul_q6_k, dot_q6_k)
