// What every quantized matmul path shares: the GGUF block layouts and the loop over rows and
// token tiles around a path's tile function.
#ifndef AXL_QUANT_BLOCKS_H
#define AXL_QUANT_BLOCKS_H

#include <stdint.h>
#include <string.h>

#include "WeightPrefetch.h"

// GGUF block layouts (ggml-common.h): q4_0 = f16 d + 16 bytes of nibbles (18 bytes), q4_1 =
// f16 d + f16 m + 16 bytes (20), q8_0 = f16 d + 32 int8 (34). A nibble byte j holds element j
// in its low half and element j + 16 in its high half.
enum { Q4_0_BYTES = 18, Q4_1_BYTES = 20, Q8_0_BYTES = 34 };
// q5_0 = f16 d + 4 bytes of fifth bits + 16 bytes of nibbles (22), q5_1 = f16 d + f16 m + the
// same (24): element e's fifth bit is bit e of the little-endian 32-bit qh.
enum { Q5_0_BYTES = 22, Q5_1_BYTES = 24 };

static inline uint32_t fifth_bits(const uint8_t *qh) {
    uint32_t bits;
    memcpy(&bits, qh, 4);
    return bits;
}

// Tokens handled together per weight row: the row's unpacked block is reused this many times.
#define TILE 4

static inline float half(const uint8_t *p) {
    _Float16 v;
    memcpy(&v, p, 2);
    return (float)v;
}

// Defines NAME(AXL_QUANTIZED_MATMUL_PARAMS) from a tile function that computes `nt` (1...TILE)
// dot products of one weight row with consecutive tokens' activations:
//   TILE_FN(row, nb, k, xq, xd, xs, nt, res)
// It is called with a constant nt, so its loops over tokens unroll.
#define DEFINE_TILED_MATMUL(NAME, TILE_FN) DEFINE_TILED_MATMUL_OVER(NAME, TILE_FN, float, 32, 1)

// The same for activations in blocks of BLOCK values with SUMS_PER_BLOCK entries of SUMS_TYPE
// each in the third array (one scaled sum per 32; K-quants' Q8_K: sixteen sums per 256).
#define DEFINE_TILED_MATMUL_OVER(NAME, TILE_FN, SUMS_TYPE, BLOCK, SUMS_PER_BLOCK)              \
    void NAME(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,             \
              const int8_t *xq, const float *xd, const SUMS_TYPE *xs, int tokenCount,          \
              float *out, size_t outStride) {                                                 \
        const int nb = k / BLOCK;                                                             \
        float res[TILE];                                                                      \
        for (int r = rowBegin; r < rowEnd; r++) {                                             \
            const uint8_t *row = w + (size_t)r * rowBytes;                                    \
            prefetch_ahead(row, rowBytes);                                                    \
            int t = 0;                                                                        \
            for (; t + TILE <= tokenCount; t += TILE) {                                       \
                TILE_FN(row, nb, k, xq + (size_t)t * k, xd + (size_t)t * nb,                  \
                        xs + (size_t)t * nb * SUMS_PER_BLOCK, TILE, res);                     \
                for (int j = 0; j < TILE; j++) out[(size_t)(t + j) * outStride + r] = res[j]; \
            }                                                                                 \
            for (; t < tokenCount; t++) {                                                     \
                TILE_FN(row, nb, k, xq + (size_t)t * k, xd + (size_t)t * nb,                  \
                        xs + (size_t)t * nb * SUMS_PER_BLOCK, 1, res);                        \
                out[(size_t)t * outStride + r] = res[0];                                      \
            }                                                                                 \
        }                                                                                     \
    }

#endif
