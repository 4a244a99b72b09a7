// What every float-weight matmul path shares: reading one f32, f16 or bf16 weight, and the loop
// over rows and token tiles around a path's tile function.
#ifndef AXL_FLOAT_ELEMENTS_H
#define AXL_FLOAT_ELEMENTS_H

#include <stdint.h>
#include <string.h>

#include "WeightPrefetch.h"

// Weights are read as bytes: a GGUF row need not be aligned for its element type.
static inline float load1_f32(const uint8_t *p) {
    float v;
    memcpy(&v, p, 4);
    return v;
}

static inline float load1_f16(const uint8_t *p) {
    _Float16 v;
    memcpy(&v, p, 2);
    return (float)v;
}

// bf16 is the top half of an f32: shifting it left by 16 is the exact conversion.
static inline float load1_bf16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    const uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

// Tokens handled together per weight row: each weight is read and converted once per tile.
#define FLOAT_TILE 4

// Defines NAME with the float kernel signature from a tile function that computes `nt`
// (1...FLOAT_TILE) dot products of one row with consecutive tokens:
//   TILE_FN(row, k, x, nt, res)
// It is called with a constant nt, so its loops over tokens unroll.
#define DEFINE_TILED_FLOAT_MATMUL(NAME, TILE_FN)                                               \
    void NAME(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,             \
              const float *x, int tokenCount, float *out, size_t outStride) {                 \
        float res[FLOAT_TILE];                                                                \
        for (int r = rowBegin; r < rowEnd; r++) {                                             \
            const uint8_t *row = w + (size_t)r * rowBytes;                                    \
            prefetch_ahead(row, rowBytes);                                                    \
            int t = 0;                                                                        \
            for (; t + FLOAT_TILE <= tokenCount; t += FLOAT_TILE) {                           \
                TILE_FN(row, k, x + (size_t)t * k, FLOAT_TILE, res);                          \
                for (int j = 0; j < FLOAT_TILE; j++) out[(size_t)(t + j) * outStride + r] = res[j]; \
            }                                                                                 \
            for (; t < tokenCount; t++) {                                                     \
                TILE_FN(row, k, x + (size_t)t * k, 1, res);                                   \
                out[(size_t)t * outStride + r] = res[0];                                      \
            }                                                                                 \
        }                                                                                     \
    }

#endif
