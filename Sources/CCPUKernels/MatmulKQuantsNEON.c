#include "KernelPaths.h"

#if AXL_KERNELS_NEON
#include "DotProductNEON.h"
#include "KQuantBlocks.h"

// The aarch64 K-quant matmuls. Each tile computes `nt` (1...TILE) tokens' dot products with one
// weight row, unpacking each 16-weight vector once and reusing it for every token. Weights are
// made signed bytes (q4_K/q5_K values 0...31 already are; q6_K's q − 32 is in −32...31), so SDOT
// multiplies them with the int8 activations directly; each sub-block's int32 sums are scaled by
// its integer scale, and one float multiply-add per super-block and token applies d and the
// activation scale.

static inline __attribute__((always_inline)) void tile_q4_k_q5_k(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const int16_t *xsums,
    int nt, int hasFifthBit, float *res) {
    const int bytes = hasFifthBit ? Q5_K_BYTES : Q4_K_BYTES;
    const uint8x16_t lowNibble = vdupq_n_u8(0x0F), fifthBit = vdupq_n_u8(0x10);
    float32x4_t acc[TILE];
    float mins[TILE];
    for (int j = 0; j < nt; j++) { acc[j] = vdupq_n_f32(0.0f); mins[j] = 0.0f; }
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * bytes;
        const uint8_t *qs = block + (hasFifthBit ? 48 : 16);
        uint8_t sc[8], m[8];
        scales_and_mins(block + 4, sc, m);
        uint8x16_t qh[2] = {vdupq_n_u8(0), vdupq_n_u8(0)};
        if (hasFifthBit) { qh[0] = vld1q_u8(block + 16); qh[1] = vld1q_u8(block + 32); }
        int32x4_t sum[TILE];
        for (int j = 0; j < nt; j++) sum[j] = vdupq_n_s32(0);
        // sub-blocks 2·pair (low nibbles) and 2·pair + 1 (high nibbles) share 32 bytes
        for (int pair = 0; pair < 4; pair++) {
            int8x16_t q[4];  // sub-block 2·pair in q[0], q[1]; 2·pair + 1 in q[2], q[3]
            for (int part = 0; part < 2; part++) {
                const uint8x16_t packed = vld1q_u8(qs + 32 * pair + 16 * part);
                uint8x16_t low = vandq_u8(packed, lowNibble), high = vshrq_n_u8(packed, 4);
                if (hasFifthBit) {
                    // bit c of qh[l] is the fifth bit of element l of sub-block c
                    low = vorrq_u8(low, vandq_u8(vtstq_u8(qh[part], vdupq_n_u8((uint8_t)(1u << (2 * pair)))), fifthBit));
                    high = vorrq_u8(high, vandq_u8(vtstq_u8(qh[part], vdupq_n_u8((uint8_t)(2u << (2 * pair)))), fifthBit));
                }
                q[part] = vreinterpretq_s8_u8(low);
                q[2 + part] = vreinterpretq_s8_u8(high);
            }
            for (int j = 0; j < nt; j++) {
                const int8_t *a = xq + (size_t)j * k + b * QK + 64 * pair;
                const int32x4_t first = dot_s8(dot_s8(vdupq_n_s32(0), q[0], vld1q_s8(a)), q[1], vld1q_s8(a + 16));
                const int32x4_t second = dot_s8(dot_s8(vdupq_n_s32(0), q[2], vld1q_s8(a + 32)), q[3], vld1q_s8(a + 48));
                sum[j] = vmlaq_n_s32(sum[j], first, sc[2 * pair]);
                sum[j] = vmlaq_n_s32(sum[j], second, sc[2 * pair + 1]);
            }
        }
        const float d = half(block), dmin = half(block + 2);
        for (int j = 0; j < nt; j++) {
            const float ad = xd[j * nb + b];
            acc[j] = vfmaq_n_f32(acc[j], vcvtq_f32_s32(sum[j]), d * ad);
            mins[j] += dmin * ad * (float)min_products(m, xsums + ((size_t)j * nb + b) * 16);
        }
    }
    for (int j = 0; j < nt; j++) res[j] = vaddvq_f32(acc[j]) - mins[j];
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
    (void)xsums;  // the −32 offset is taken off each weight, not through the activation sums
    const uint8x16_t lowNibble = vdupq_n_u8(0x0F), twoBits = vdupq_n_u8(3);
    const int8x16_t offset = vdupq_n_s8(32);
    float32x4_t acc[TILE];
    for (int j = 0; j < nt; j++) acc[j] = vdupq_n_f32(0.0f);
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q6_K_BYTES;
        const int8_t *sc = (const int8_t *)(block + 192);
        int32x4_t sum[TILE];
        for (int j = 0; j < nt; j++) sum[j] = vdupq_n_s32(0);
        for (int h = 0; h < 2; h++) {
            uint8x16_t ql[4], qh[2];
            for (int i = 0; i < 4; i++) ql[i] = vld1q_u8(block + 64 * h + 16 * i);
            for (int i = 0; i < 2; i++) qh[i] = vld1q_u8(block + 128 + 32 * h + 16 * i);
            // 16 weights at a time: element 128h + 32g + 16·part + i is scale group 8h + 2g + part
            for (int g = 0; g < 4; g++) {
                for (int part = 0; part < 2; part++) {
                    const uint8x16_t packed = ql[2 * (g & 1) + part];
                    const uint8x16_t low = g < 2 ? vandq_u8(packed, lowNibble) : vshrq_n_u8(packed, 4);
                    const uint8x16_t high = vandq_u8(vshlq_u8(qh[part], vdupq_n_s8((int8_t)(-2 * g))), twoBits);
                    const int8x16_t q = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(low, vshlq_n_u8(high, 4))), offset);
                    const int scale = sc[8 * h + 2 * g + part];
                    for (int j = 0; j < nt; j++) {
                        const int8_t *a = xq + (size_t)j * k + b * QK + 128 * h + 32 * g + 16 * part;
                        sum[j] = vmlaq_n_s32(sum[j], dot_s8(vdupq_n_s32(0), q, vld1q_s8(a)), scale);
                    }
                }
            }
        }
        const float d = half(block + 208);
        for (int j = 0; j < nt; j++)
            acc[j] = vfmaq_n_f32(acc[j], vcvtq_f32_s32(sum[j]), d * xd[j * nb + b]);
    }
    for (int j = 0; j < nt; j++) res[j] = vaddvq_f32(acc[j]);
}

DEFINE_TILED_K_MATMUL(axl_neon_matmul_q4_k, tile_q4_k)
DEFINE_TILED_K_MATMUL(axl_neon_matmul_q5_k, tile_q5_k)
DEFINE_TILED_K_MATMUL(axl_neon_matmul_q6_k, tile_q6_k)

#endif
