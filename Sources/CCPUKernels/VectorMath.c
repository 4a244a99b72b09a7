#include "CCPUKernels.h"
#include "FastExp.h"

void axl_softmax(float *x, int n) {
    float max, sum;
    softmax_in_place(x, n, &max, &sum);
}

void axl_silu_mul(float *gate, const float *up, int n) {
    for (int i = 0; i < n; i++) gate[i] = gate[i] / (1.0f + fast_exp(-gate[i])) * up[i];
}

float axl_exp(float x) { return fast_exp(x); }
