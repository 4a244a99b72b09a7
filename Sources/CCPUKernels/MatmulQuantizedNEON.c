#include "KernelPaths.h"

#if AXL_KERNELS_NEON
#include "DotProductNEON.h"
#include "QuantBlocks.h"

// The aarch64 quantized matmuls: signed 8-bit dot products per block (DotProductNEON.h),
// scaled in f32.

// The 32 activations of block b of token j, as two vectors.
static inline int32x4_t dot_block(int8x16_t low, int8x16_t high, const int8_t *a) {
    return dot_s8(dot_s8(vdupq_n_s32(0), low, vld1q_s8(a)), high, vld1q_s8(a + 16));
}

// A q5 block's 32 five-bit values (0...31, valid signed bytes): the nibbles with bit e of qh
// at bit 4 of element e. Each byte of qh is spread over the eight lanes it covers, and each lane
// tests its own bit.
static inline void unpack_five_bits(const uint8_t *qh, const uint8_t *qs, int8x16_t *low, int8x16_t *high) {
    const uint32_t bits = fifth_bits(qh);
    const uint8x16_t laneBit = vreinterpretq_u8_u64(vdupq_n_u64(0x8040201008040201ull));
    const uint8x16_t fifth = vdupq_n_u8(0x10);
    const uint8x16_t spreadLow = vcombine_u8(vdup_n_u8((uint8_t)bits), vdup_n_u8((uint8_t)(bits >> 8)));
    const uint8x16_t spreadHigh = vcombine_u8(vdup_n_u8((uint8_t)(bits >> 16)), vdup_n_u8((uint8_t)(bits >> 24)));
    const uint8x16_t packed = vld1q_u8(qs);
    *low = vreinterpretq_s8_u8(vorrq_u8(vandq_u8(packed, vdupq_n_u8(0x0F)),
                                        vandq_u8(vtstq_u8(spreadLow, laneBit), fifth)));
    *high = vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(packed, 4), vandq_u8(vtstq_u8(spreadHigh, laneBit), fifth)));
}

// q5_0: w = d*(q - 16); q5_1: w = d*q + m. `offset` is -16·d or m, times da·Σa.
static inline __attribute__((always_inline)) void tile_q5(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, int hasMinimum, float *res) {
    const int bytes = hasMinimum ? Q5_1_BYTES : Q5_0_BYTES, bits = hasMinimum ? 4 : 2;
    float32x4_t acc[TILE];
    float offsets[TILE];
    for (int j = 0; j < nt; j++) { acc[j] = vdupq_n_f32(0.0f); offsets[j] = 0.0f; }
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * bytes;
        const float dw = half(block), offset = hasMinimum ? half(block + 2) : -16.0f * dw;
        int8x16_t low, high;
        unpack_five_bits(block + bits, block + bits + 4, &low, &high);
        for (int j = 0; j < nt; j++) {
            const int32x4_t sum = dot_block(low, high, xq + (size_t)j * k + b * 32);
            acc[j] = vfmaq_n_f32(acc[j], vcvtq_f32_s32(sum), dw * xd[j * nb + b]);
            offsets[j] += offset * xs[j * nb + b];
        }
    }
    for (int j = 0; j < nt; j++) res[j] = vaddvq_f32(acc[j]) + offsets[j];
}

static inline __attribute__((always_inline)) void tile_q5_0(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs, int nt, float *res) {
    tile_q5(row, nb, k, xq, xd, xs, nt, 0, res);
}

static inline __attribute__((always_inline)) void tile_q5_1(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs, int nt, float *res) {
    tile_q5(row, nb, k, xq, xd, xs, nt, 1, res);
}

// q4_0, q4_1 and q8_0, one token at a time (a batch too, see DEFINE_NEON_MATMUL): four blocks
// per step, their four integer sums added pairwise into one vector and the four blocks' f16
// scales (and q4_1's minimums) converted together, where a block at a time costs a conversion, a
// scalar product and one or two half-precision loads per block.
enum single_token_format { SINGLE_Q4_0, SINGLE_Q4_1, SINGLE_Q8_0 };

// Block `block`'s integer sum Σ q·a with the token's activations `a`; *header gets its first four
// bytes (d, and q4_1's m), or d alone zero-extended.
static inline __attribute__((always_inline)) int32x4_t block_sum(
    const uint8_t *block, const int8_t *a, enum single_token_format format, uint32_t *header) {
    if (format == SINGLE_Q4_1) {
        memcpy(header, block, 4);
    } else {
        uint16_t d;
        memcpy(&d, block, 2);
        *header = d;
    }
    if (format == SINGLE_Q8_0)
        return dot_block(vld1q_s8((const int8_t *)(block + 2)), vld1q_s8((const int8_t *)(block + 18)), a);
    const uint8x16_t packed = vld1q_u8(block + (format == SINGLE_Q4_1 ? 4 : 2));
    return dot_block(vreinterpretq_s8_u8(vandq_u8(packed, vdupq_n_u8(0x0F))),
                     vreinterpretq_s8_u8(vshrq_n_u8(packed, 4)), a);
}

// One row's dot product with one token. q4_1: w = d·q + m; q4_0: w = d·(q − 8); q8_0: w = d·q;
// the constant part times the block's scaled activation sum xs is the `offsets` term.
static inline __attribute__((always_inline)) float single_token_row(
    const uint8_t *row, int nb, const int8_t *xq, const float *xd, const float *xs,
    enum single_token_format format) {
    const int bytes = format == SINGLE_Q4_0 ? Q4_0_BYTES : format == SINGLE_Q4_1 ? Q4_1_BYTES : Q8_0_BYTES;
    float32x4_t acc = vdupq_n_f32(0.0f), offsets = vdupq_n_f32(0.0f);
    int b = 0;
    for (; b + 4 <= nb; b += 4) {
        const uint8_t *block = row + (size_t)b * bytes;
        uint32_t h0, h1, h2, h3;
        const int32x4_t s0 = block_sum(block, xq + b * 32, format, &h0);
        const int32x4_t s1 = block_sum(block + bytes, xq + b * 32 + 32, format, &h1);
        const int32x4_t s2 = block_sum(block + 2 * bytes, xq + b * 32 + 64, format, &h2);
        const int32x4_t s3 = block_sum(block + 3 * bytes, xq + b * 32 + 96, format, &h3);
        const int32x4_t sums = vpaddq_s32(vpaddq_s32(s0, s1), vpaddq_s32(s2, s3));
        const uint32_t packed[4] = {h0, h1, h2, h3};
        const uint32x4_t headers = vld1q_u32(packed);
        const float32x4_t d = vcvt_f32_f16(vreinterpret_f16_u16(vmovn_u32(headers)));
        acc = vfmaq_f32(acc, vcvtq_f32_s32(sums), vmulq_f32(d, vld1q_f32(xd + b)));
        if (format == SINGLE_Q4_1) {
            const float32x4_t m = vcvt_f32_f16(vreinterpret_f16_u16(vshrn_n_u32(headers, 16)));
            offsets = vfmaq_f32(offsets, m, vld1q_f32(xs + b));
        } else if (format == SINGLE_Q4_0) {
            offsets = vfmaq_f32(offsets, vmulq_n_f32(d, -8.0f), vld1q_f32(xs + b));
        }
    }
    float res = vaddvq_f32(vaddq_f32(acc, offsets));
    for (; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * bytes;
        uint32_t header;
        const float sum = (float)vaddvq_s32(block_sum(block, xq + b * 32, format, &header));
        const float d = half(block);
        res += d * xd[b] * sum;
        if (format == SINGLE_Q4_1) res += half(block + 2) * xs[b];
        if (format == SINGLE_Q4_0) res -= 8.0f * d * xs[b];
    }
    return res;
}

// A token's dot products must not depend on how many tokens the call has (a prompt's K/V rows and
// logits are the same whether its tokens are evaluated in one batch or one by one, which prefix
// reuse relies on), so a batch runs each token through single_token_row too: rows outer, tokens
// inner, so that a row stays in L1 while every token reads it.
#define DEFINE_NEON_MATMUL(NAME, FORMAT)                                                       \
    void NAME(AXL_QUANTIZED_MATMUL_PARAMS) {                                                   \
        const int nb = k / 32;                                                                 \
        for (int r = rowBegin; r < rowEnd; r++) {                                              \
            const uint8_t *row = w + (size_t)r * rowBytes;                                     \
            prefetch_ahead(row, rowBytes);                                                     \
            for (int t = 0; t < tokenCount; t++)                                               \
                out[(size_t)t * outStride + r] = single_token_row(                             \
                    row, nb, xq + (size_t)t * k, xd + (size_t)t * nb, xs + (size_t)t * nb, FORMAT); \
        }                                                                                      \
    }

DEFINE_NEON_MATMUL(axl_neon_matmul_q4_0, SINGLE_Q4_0)
DEFINE_NEON_MATMUL(axl_neon_matmul_q4_1, SINGLE_Q4_1)
DEFINE_NEON_MATMUL(axl_neon_matmul_q8_0, SINGLE_Q8_0)
DEFINE_TILED_MATMUL(axl_neon_matmul_q5_0, tile_q5_0)
DEFINE_TILED_MATMUL(axl_neon_matmul_q5_1, tile_q5_1)

#endif
