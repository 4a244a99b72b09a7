#include "CCPUKernels.h"
#include "FastExp.h"

// Attention over the KV cache for the query heads that share one KV head (grouped-query
// attention). Each key and value row is read once for the whole group rather than once per
// query head, and a part covers a range of slots so that one token's attention can be split
// across threads and merged afterwards (the partial sums of flash-decoding).
//
// Within a part the arithmetic is that of the simulated NPU card's attention
// (Sources/AXCLSimulator/sim_layer_math.c): sixteen fused lanes per score then their sum in
// order, the softmax of axl_softmax, values accumulated slot by slot with fused multiply-adds.
// A query that sees one part therefore gets the card's result bit for bit, which keeps the CPU
// engine and the NPU path with f32 IO identical.

#define LANES 16
// Slots ahead whose rows are prefetched: a part's rows are a head's slice of each cache row,
// far apart, and once the weights have streamed through they come from memory.
#define PREFETCH_SLOTS 8

static inline void prefetch_row(const float *row, int headDim) {
    for (int i = 0; i < headDim; i += 16) __builtin_prefetch(row + i);
}

static inline float dot_lanes(const float *a, const float *b, int n) {
    float lanes[LANES] = {0};
    int i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int j = 0; j < LANES; j++) lanes[j] = __builtin_fmaf(a[i + j], b[i + j], lanes[j]);
    float sum = 0.0f;
    for (int j = 0; j < LANES; j++) sum += lanes[j];
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}

void axl_attention_part(const float *q, int group, int headDim, const float *keys, const float *values,
                        size_t slotStride, int slots, float scale, float *scores, float *out,
                        float *maxima, float *sums) {
    // scores[h * slots + s] = q_h · k_s * scale, each key row loaded once for the group
    for (int s = 0; s < slots; s++) {
        const float *k = keys + (size_t)s * slotStride;
        if (s + PREFETCH_SLOTS < slots) prefetch_row(k + PREFETCH_SLOTS * slotStride, headDim);
        for (int h = 0; h < group; h++) scores[h * slots + s] = dot_lanes(q + h * headDim, k, headDim) * scale;
    }
    for (int h = 0; h < group; h++) softmax_in_place(scores + (size_t)h * slots, slots, maxima + h, sums + h);
    for (int i = 0; i < group * headDim; i++) out[i] = 0.0f;
    // out_h += p_h,s * v_s, each value row loaded once for the group
    for (int s = 0; s < slots; s++) {
        const float *v = values + (size_t)s * slotStride;
        if (s + PREFETCH_SLOTS < slots) prefetch_row(v + PREFETCH_SLOTS * slotStride, headDim);
        for (int h = 0; h < group; h++) {
            const float p = scores[h * slots + s];
            float *o = out + h * headDim;
            for (int d = 0; d < headDim; d++) o[d] = __builtin_fmaf(p, v[d], o[d]);
        }
    }
}

void axl_attention_merge(const float *parts, int count, int group, int headDim, size_t partStride, float *out) {
    if (count == 1) {
        for (int i = 0; i < group * headDim; i++) out[i] = parts[i];
        return;
    }
    const float *maxima = parts + group * headDim, *sums = maxima + group;
    for (int h = 0; h < group; h++) {
        float max = maxima[h];
        for (int p = 1; p < count; p++) max = maxima[p * partStride + h] > max ? maxima[p * partStride + h] : max;
        // part p's output is normalised by its own sum; its share of the whole is exp(max_p - max) * sum_p
        float total = 0.0f;
        float *o = out + h * headDim;
        for (int d = 0; d < headDim; d++) o[d] = 0.0f;
        for (int p = 0; p < count; p++) {
            const float weight = fast_exp(maxima[p * partStride + h] - max) * sums[p * partStride + h];
            total += weight;
            const float *part = parts + p * partStride + h * headDim;
            for (int d = 0; d < headDim; d++) o[d] += weight * part[d];
        }
        const float inverse = 1.0f / total;
        for (int d = 0; d < headDim; d++) o[d] *= inverse;
    }
}
