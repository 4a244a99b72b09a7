#include "KernelPaths.h"
#include <math.h>

// Activation quantization as llama.cpp's q8_0/q8_1 do it: per block of 32, scale = max|x| / 127,
// values rounded to nearest (llama.cpp ggml-quants.c, quantize_row_q8_1_ref). The scale stays in
// f32 here (llama.cpp rounds it to f16), which only makes our result slightly more exact.
void axl_scalar_quantize_row_q8(const float *x, int n, int8_t *q, float *d, float *s) {
    for (int b = 0; b < n / 32; b++) {
        const float *xb = x + b * 32;
        float amax = 0.0f;
        for (int i = 0; i < 32; i++) {
            float a = fabsf(xb[i]);
            amax = a > amax ? a : amax;
        }
        const float scale = amax / 127.0f;
        const float inverse = scale != 0.0f ? 1.0f / scale : 0.0f;
        int sum = 0;
        for (int i = 0; i < 32; i++) {
            const int v = (int)nearbyintf(xb[i] * inverse);
            q[b * 32 + i] = (int8_t)v;
            sum += v;
        }
        d[b] = scale;
        s[b] = scale * (float)sum;
    }
}

// Q8_K as llama.cpp's quantize_row_q8_K_ref lays it out (one f32 scale per 256, sums of 16); the
// scale is max|x| / 127 like the blocks of 32 above rather than llama.cpp's signed maximum.
void axl_scalar_quantize_row_q8_k(const float *x, int n, int8_t *q, float *d, int16_t *sums) {
    for (int b = 0; b < n / 256; b++) {
        const float *xb = x + b * 256;
        float amax = 0.0f;
        for (int i = 0; i < 256; i++) {
            float a = fabsf(xb[i]);
            amax = a > amax ? a : amax;
        }
        const float scale = amax / 127.0f;
        const float inverse = scale != 0.0f ? 1.0f / scale : 0.0f;
        for (int group = 0; group < 16; group++) {
            int sum = 0;
            for (int i = group * 16; i < group * 16 + 16; i++) {
                const int v = (int)nearbyintf(xb[i] * inverse);
                q[b * 256 + i] = (int8_t)v;
                sum += v;
            }
            sums[b * 16 + group] = (int16_t)sum;
        }
        d[b] = scale;
    }
}

void axl_f16_to_f32(const uint16_t *h, float *out, int n) {
    for (int i = 0; i < n; i++) {
        _Float16 v;
        __builtin_memcpy(&v, &h[i], 2);
        out[i] = (float)v;
    }
}

void axl_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
