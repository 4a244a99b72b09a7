#include "KernelPaths.h"
#include "QuantBlocks.h"

// The portable quantized matmuls: integer dot products per block, scaled in f32.

static inline int dot_nibbles(const uint8_t *qs, const int8_t *a) {
    int sum = 0;
    for (int j = 0; j < 16; j++) sum += (qs[j] & 0x0F) * a[j] + (qs[j] >> 4) * a[j + 16];
    return sum;
}

static inline int dot_int8(const int8_t *w, const int8_t *a) {
    int sum = 0;
    for (int j = 0; j < 32; j++) sum += w[j] * a[j];
    return sum;
}

// q4_1: w = d*q + m, so dot = sum_b (dw*da * sum(q*a) + m * da*sum(a)).
static inline __attribute__((always_inline)) void tile_q4_1(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, float *res) {
    for (int j = 0; j < nt; j++) res[j] = 0.0f;
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q4_1_BYTES;
        const float dw = half(block), mw = half(block + 2);
        for (int j = 0; j < nt; j++) {
            const int sum = dot_nibbles(block + 4, xq + (size_t)j * k + b * 32);
            res[j] += dw * xd[j * nb + b] * (float)sum + mw * xs[j * nb + b];
        }
    }
}

// q4_0: w = d*(q - 8), so dot = sum_b (dw*da * sum(q*a) - 8 * dw * da*sum(a)).
static inline __attribute__((always_inline)) void tile_q4_0(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, float *res) {
    for (int j = 0; j < nt; j++) res[j] = 0.0f;
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q4_0_BYTES;
        const float dw = half(block);
        for (int j = 0; j < nt; j++) {
            const int sum = dot_nibbles(block + 2, xq + (size_t)j * k + b * 32);
            res[j] += dw * xd[j * nb + b] * (float)sum - 8.0f * dw * xs[j * nb + b];
        }
    }
}

static inline __attribute__((always_inline)) void tile_q8_0(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, float *res) {
    (void)xs;
    for (int j = 0; j < nt; j++) res[j] = 0.0f;
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q8_0_BYTES;
        const float dw = half(block);
        for (int j = 0; j < nt; j++) {
            const int sum = dot_int8((const int8_t *)(block + 2), xq + (size_t)j * k + b * 32);
            res[j] += dw * xd[j * nb + b] * (float)sum;
        }
    }
}

// Σ q·a over a q5 block's 32 five-bit values (0...31).
static inline int dot_five_bits(const uint8_t *qh, const uint8_t *qs, const int8_t *a) {
    const uint32_t high = fifth_bits(qh);
    int sum = 0;
    for (int j = 0; j < 16; j++) {
        sum += ((qs[j] & 0x0F) | ((high >> j) & 1) << 4) * a[j];
        sum += ((qs[j] >> 4) | ((high >> (j + 16)) & 1) << 4) * a[j + 16];
    }
    return sum;
}

// q5_0: w = d*(q - 16); q5_1: w = d*q + m (as q4_0 and q4_1 with a fifth bit).
static inline __attribute__((always_inline)) void tile_q5_0(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, float *res) {
    for (int j = 0; j < nt; j++) res[j] = 0.0f;
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q5_0_BYTES;
        const float dw = half(block);
        for (int j = 0; j < nt; j++) {
            const int sum = dot_five_bits(block + 2, block + 6, xq + (size_t)j * k + b * 32);
            res[j] += dw * xd[j * nb + b] * (float)sum - 16.0f * dw * xs[j * nb + b];
        }
    }
}

static inline __attribute__((always_inline)) void tile_q5_1(
    const uint8_t *row, int nb, int k, const int8_t *xq, const float *xd, const float *xs,
    int nt, float *res) {
    for (int j = 0; j < nt; j++) res[j] = 0.0f;
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t)b * Q5_1_BYTES;
        const float dw = half(block), mw = half(block + 2);
        for (int j = 0; j < nt; j++) {
            const int sum = dot_five_bits(block + 4, block + 8, xq + (size_t)j * k + b * 32);
            res[j] += dw * xd[j * nb + b] * (float)sum + mw * xs[j * nb + b];
        }
    }
}

DEFINE_TILED_MATMUL(axl_scalar_matmul_q5_0, tile_q5_0)
DEFINE_TILED_MATMUL(axl_scalar_matmul_q5_1, tile_q5_1)
DEFINE_TILED_MATMUL(axl_scalar_matmul_q4_0, tile_q4_0)
DEFINE_TILED_MATMUL(axl_scalar_matmul_q4_1, tile_q4_1)
DEFINE_TILED_MATMUL(axl_scalar_matmul_q8_0, tile_q8_0)
