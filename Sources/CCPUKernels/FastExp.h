// The exponential and softmax that the softmax, attention and SwiGLU kernels share.
#ifndef AXL_FAST_EXP_H
#define AXL_FAST_EXP_H

#include <stdint.h>
#include <string.h>

// exp(x) for x <= 88.7, written so the compiler vectorises loops over it (libm's expf is a
// call per element): 2^n * p(r) with n = round(x / ln 2), r = x - n ln 2 split in two parts,
// and p the degree-7 Taylor polynomial, whose error on |r| <= ln(2)/2 is below 1e-8.
static inline float fast_exp(float x) {
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    const float n = __builtin_rintf(x * 1.44269504088896341f);
    const float r = (x - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return p * scale;
}

// Replaces x[0..<n] by its softmax; reports the maximum and the sum of exponentials it divided by.
static inline void softmax_in_place(float *x, int n, float *maxOut, float *sumOut) {
    float max = x[0];
    for (int i = 1; i < n; i++) max = x[i] > max ? x[i] : max;
    for (int i = 0; i < n; i++) x[i] = fast_exp(x[i] - max);
    // separate partial sums keep the reduction vectorised without reassociation
    float lanes[16] = {0};
    int i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) lanes[j] += x[i + j];
    float sum = 0.0f;
    for (; i < n; i++) sum += x[i];
    for (int j = 0; j < 16; j++) sum += lanes[j];
    const float inverse = 1.0f / sum;
    for (int i = 0; i < n; i++) x[i] *= inverse;
    *maxOut = max;
    *sumOut = sum;
}

#endif
