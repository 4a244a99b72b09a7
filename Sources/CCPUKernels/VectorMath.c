#include "CCPUKernels.h"
#include "FastExp.h"

void axl_softmax(float *x, int n) {
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
}

void axl_silu_mul(float *gate, const float *up, int n) {
    for (int i = 0; i < n; i++) gate[i] = gate[i] / (1.0f + fast_exp(-gate[i])) * up[i];
}

float axl_exp(float x) { return fast_exp(x); }
