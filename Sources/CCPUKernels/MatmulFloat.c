#include "KernelPaths.h"
#include "FloatElements.h"

// The portable float-weight matmuls, written for the compiler to vectorise.

// Sixteen independent partial sums let the compiler vectorise the reduction without
// -ffast-math (each lane is its own sum, so no reassociation is needed).
#define LANES 16

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

FLOAT_MATMUL(axl_scalar_matmul_f32, load1_f32, 4)
FLOAT_MATMUL(axl_scalar_matmul_f16, load1_f16, 2)
FLOAT_MATMUL(axl_scalar_matmul_bf16, load1_bf16, 2)
