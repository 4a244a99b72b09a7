#include "KernelPaths.h"
#include <string.h>

// The portable float-weight matmuls, written for the compiler to vectorise.

// Sixteen independent partial sums let the compiler vectorise the reduction without
// -ffast-math (each lane is its own sum, so no reassociation is needed).
#define LANES 16

static inline float f16(const uint8_t *p) {
    _Float16 v;
    memcpy(&v, p, 2);
    return (float)v;
}

static inline float bf16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

#define FLOAT_MATMUL(NAME, LOAD, ELEMENT_BYTES)                                               \
    void NAME(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,           \
              const float *x, int tokenCount, float *out, size_t outStride) {               \
        for (int r = rowBegin; r < rowEnd; r++) {                                           \
            const uint8_t *row = w + (size_t)r * rowBytes;                                  \
            for (int t = 0; t < tokenCount; t++) {                                          \
                const float *xt = x + (size_t)t * k;                                        \
                float acc[LANES] = {0};                                                     \
                int i = 0;                                                                  \
                for (; i + LANES <= k; i += LANES)                                          \
                    for (int j = 0; j < LANES; j++)                                         \
                        acc[j] += LOAD(row + (size_t)(i + j) * ELEMENT_BYTES) * xt[i + j];  \
                float sum = 0.0f;                                                           \
                for (; i < k; i++) sum += LOAD(row + (size_t)i * ELEMENT_BYTES) * xt[i];    \
                for (int j = 0; j < LANES; j++) sum += acc[j];                              \
                out[(size_t)t * outStride + r] = sum;                                       \
            }                                                                               \
        }                                                                                   \
    }

static inline float f32(const uint8_t *p) {
    float v;
    memcpy(&v, p, 4);
    return v;
}

FLOAT_MATMUL(axl_scalar_matmul_f32, f32, 4)
FLOAT_MATMUL(axl_scalar_matmul_f16, f16, 2)
FLOAT_MATMUL(axl_scalar_matmul_bf16, bf16, 2)
