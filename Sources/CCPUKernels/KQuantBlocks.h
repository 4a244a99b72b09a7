// What every K-quant matmul path shares: the super-block layouts, their scale decoding and the
// loop over rows and token tiles around a path's tile function (QuantBlocks.h's, over Q8_K).
#ifndef AXL_K_QUANT_BLOCKS_H
#define AXL_K_QUANT_BLOCKS_H

#include "QuantBlocks.h"

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

// Defines NAME with the K-quant kernel signature from a tile function that computes `nt`
// (1...TILE) dot products of one weight row with consecutive tokens' Q8_K activations:
//   TILE_FN(row, nb, k, xq, xd, xsums, nt, res)
// It is called with a constant nt, so its loops over tokens unroll.
#define DEFINE_TILED_K_MATMUL(NAME, TILE_FN) DEFINE_TILED_MATMUL_OVER(NAME, TILE_FN, int16_t, QK, 16)

#endif
