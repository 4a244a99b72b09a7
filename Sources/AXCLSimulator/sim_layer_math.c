// The computation of simulated models: one llama/qwen transformer block wired as the vendor's
// decoder-layer engines are (axera.md §3.4), and the post model (final norm + LM head). IO is in
// each tensor's declared data type: bf16 as on the card (the converter's default), fp16 or fp32.
// Inside, the arithmetic is the CPU engine's: the same matrix kernels
// (CCPUKernels) on the weights as the GGUF stores them, with the same int8 quantization of the
// activations, the same softmax and SwiGLU, and RoPE angles computed in double as it does. The
// NPU path and the CPU engine then differ only by the precision of the card's IO and K/V cache.
#include "sim_internal.h"
#include "CCPUKernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

// Swift never fuses a multiply and an add on its own; the fused operations the CPU engine does
// use are written out here as fmaf, and nothing else may be contracted.
#pragma clang fp contract(off)

// A float IO buffer and its data type (BF16, FP16 or FP32).
typedef struct io_buffer {
    void *data;
    uint32_t type;
} io_buffer;

typedef struct layer_io {
    io_buffer kCache, vCache, input, mask;
    const uint32_t *indices;
    io_buffer kOut, vOut, output;
    uint32_t rows;    // m: tokens in this execute
    uint32_t history; // H: cache rows visible to this group
} layer_io;

// The int8 block quantization of one matrix product's input (axl_quantize_row_q8).
typedef struct quantized_input {
    int8_t *values;
    float *scales, *scaledSums;
} quantized_input;

// A vector tensor (norm weight or bias) as f32; validation guarantees it is FP32, BF16 or FP16.
static void tensor_vector(const sim_tensor *tensor, float *out) {
    if (tensor->dataType == AXCL_DATA_TYPE_FP32) {
        memcpy(out, tensor->data, tensor->cols * sizeof(float));
    } else if (tensor->dataType == AXCL_DATA_TYPE_FP16) {
        axl_f16_to_f32(tensor->data, out, (int)tensor->cols);
    } else {
        const uint16_t *values = tensor->data;
        for (uint32_t c = 0; c < tensor->cols; c++) out[c] = sim_bf16_to_f32(values[c]);
    }
}

// The CPU engine's f32 dot product (VectorOps.swift): sixteen fused lanes, then their sum.
static float dot(const float *a, const float *b, uint32_t n) {
    float lanes[16] = {0};
    uint32_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (uint32_t lane = 0; lane < 16; lane++) lanes[lane] = fmaf(a[i + lane], b[i + lane], lanes[lane]);
    float sum = 0;
    for (uint32_t lane = 0; lane < 16; lane++) sum += lanes[lane];
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}

static bool io_row_is_finite(io_buffer buffer, size_t start, uint32_t count) {
    bool finite = true;
    for (uint32_t i = 0; i < count; i++) finite &= isfinite(sim_io_load(buffer.data, start + i, buffer.type)) != 0;
    return finite;
}

static bool f32_row_is_finite(const float *values, uint32_t count) {
    bool finite = true;
    for (uint32_t i = 0; i < count; i++) finite &= isfinite(values[i]) != 0;
    return finite;
}

// y[t][r] = W[r] . x[t] for `tokens` rows of x, with the kernel the CPU engine picks for the
// weight's type (MatrixMultiply.swift): quantized weights read int8-quantized activations.
static void matmul(const sim_tensor *weight, const float *x, uint32_t tokens, float *y, const quantized_input *scratch) {
    const uint8_t *w = weight->data;
    const int rows = (int)weight->rows, k = (int)weight->cols, count = (int)tokens;
    const size_t stride = weight->rows;
    switch (weight->dataType) {
    case AXCL_DATA_TYPE_FP32: axl_matmul_f32(w, weight->rowBytes, 0, rows, k, x, count, y, stride); return;
    case AXCL_DATA_TYPE_FP16: axl_matmul_f16(w, weight->rowBytes, 0, rows, k, x, count, y, stride); return;
    case AXCL_DATA_TYPE_BF16: axl_matmul_bf16(w, weight->rowBytes, 0, rows, k, x, count, y, stride); return;
    default: break;
    }
    const int8_t *q = scratch->values;
    const float *d = scratch->scales, *s = scratch->scaledSums;
    // K-quants read the activations in super-blocks of 256 (Q8_K): one scale per 256 and the sums
    // of each 16 values, which fit in the space of the blocks-of-32 scales and sums.
    const int16_t *sums = (const int16_t *)scratch->scaledSums;
    switch (weight->dataType) {
    case AXSIM_TENSOR_Q4_0: case AXSIM_TENSOR_Q4_1: case AXSIM_TENSOR_Q5_0: case AXSIM_TENSOR_Q5_1: case AXSIM_TENSOR_Q8_0:
        axl_quantize_row_q8(x, count * k, scratch->values, scratch->scales, scratch->scaledSums);
        break;
    default:
        axl_quantize_row_q8_k(x, count * k, scratch->values, scratch->scales, (int16_t *)scratch->scaledSums);
        break;
    }
    switch (weight->dataType) {
    case AXSIM_TENSOR_Q4_0: axl_matmul_q4_0(w, weight->rowBytes, 0, rows, k, q, d, s, count, y, stride); break;
    case AXSIM_TENSOR_Q4_1: axl_matmul_q4_1(w, weight->rowBytes, 0, rows, k, q, d, s, count, y, stride); break;
    case AXSIM_TENSOR_Q5_0: axl_matmul_q5_0(w, weight->rowBytes, 0, rows, k, q, d, s, count, y, stride); break;
    case AXSIM_TENSOR_Q5_1: axl_matmul_q5_1(w, weight->rowBytes, 0, rows, k, q, d, s, count, y, stride); break;
    case AXSIM_TENSOR_Q8_0: axl_matmul_q8_0(w, weight->rowBytes, 0, rows, k, q, d, s, count, y, stride); break;
    case AXSIM_TENSOR_Q4_K: axl_matmul_q4_k(w, weight->rowBytes, 0, rows, k, q, d, sums, count, y, stride); break;
    case AXSIM_TENSOR_Q5_K: axl_matmul_q5_k(w, weight->rowBytes, 0, rows, k, q, d, sums, count, y, stride); break;
    case AXSIM_TENSOR_Q6_K: axl_matmul_q6_k(w, weight->rowBytes, 0, rows, k, q, d, sums, count, y, stride); break;
    default: break; // rejected when the model is parsed
    }
    // int8 quantization turns a NaN into an arbitrary integer; on the card it poisons the
    // product, so a token whose input is not finite gets NaN outputs.
    for (int t = 0; t < count; t++) {
        if (f32_row_is_finite(x + (size_t)t * k, (uint32_t)k)) continue;
        for (int r = 0; r < rows; r++) y[(size_t)t * stride + r] = NAN;
    }
}

static void add_bias(const sim_tensor *bias, float *y, uint32_t tokens, float *scratch) {
    if (bias == NULL) return;
    tensor_vector(bias, scratch);
    for (uint32_t t = 0; t < tokens; t++)
        for (uint32_t c = 0; c < bias->cols; c++) y[(size_t)t * bias->cols + c] += scratch[c];
}

// As the CPU engine's rmsNorm: mean square by its dot product, then (x * scale) * weight.
static void rms_norm(float *out, const float *x, const float *weight, uint32_t n, float eps) {
    float meanSquare = dot(x, x, n) / (float)n;
    float scale = 1.0f / sqrtf(meanSquare + eps);
    for (uint32_t i = 0; i < n; i++) out[i] = x[i] * scale * weight[i];
}

// cos and sin of every pair's angle at `position`, computed in double and rounded once, as the
// CPU engine's RotaryEmbedding table; `factors` (Llama 3's rope_freqs) divide the frequencies.
static void rope_table(float *table, uint32_t headDim, uint32_t position, float theta, const float *factors) {
    for (uint32_t i = 0; i < headDim / 2; i++) {
        double frequency = pow((double)theta, -2.0 * (double)i / (double)headDim);
        if (factors) frequency /= (double)factors[i];
        double angle = (double)position * frequency;
        table[2 * i] = (float)cos(angle);
        table[2 * i + 1] = (float)sin(angle);
    }
}

// Rotates one head in place. NEOX pairs (i, i + d/2) (qwen); otherwise adjacent pairs (llama GGUF).
static void rope(float *head, uint32_t headDim, const float *table, bool neox) {
    uint32_t half = headDim / 2;
    for (uint32_t i = 0; i < half; i++) {
        float c = table[2 * i], s = table[2 * i + 1];
        uint32_t a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
        float x0 = head[a], x1 = head[b];
        head[a] = x0 * c - x1 * s;
        head[b] = x0 * s + x1 * c;
    }
}

// The card's additive mask hides a position with -65536 (axera.md §3.6), or in an fp16 mask its
// most negative finite value -65504, as -65536 does not fit; exp of a score that far
// below the maximum is exactly 0 in f32, so leaving such a position out of the softmax is the same
// arithmetic, and keeps the visible positions in the order the CPU engine sums them.
// What the skipped positions still do on the card: a NaN or infinity in a masked K or V row
// survives the additive mask (NaN - 65536 is NaN, 0 x NaN is NaN) and poisons the head that reads
// it, which is why the vendor's runner zeroes its caches (axera.md §7.5).
static bool masked(float maskValue) { return maskValue <= -65504.0f; }


static axclError run_layer(const sim_model *model, const layer_io *io) {
    const axsim_model_header *h = &model->header;
    const uint32_t m = io->rows, H = io->history, hidden = h->hidden, headDim = h->headDim;
    const uint32_t qDim = h->heads * headDim, kvDim = h->kvHeads * headDim, inter = h->intermediate;
    const uint32_t span = H + m, groupSize = h->heads / h->kvHeads;
    const bool neox = (h->flags & AXSIM_FLAG_ROPE_NEOX) != 0;
    const float scale = 1.0f / sqrtf((float)headDim);
    uint32_t widest = hidden > inter ? hidden : inter;
    if (qDim > widest) widest = qDim;

    size_t floats = (size_t)m * (hidden * 4 + qDim * 2 + kvDim * 2 + inter * 2) + widest * 2 + span * 2 + h->kvHeads + headDim * 2 +
                    (size_t)m * widest / 16;
    float *arena = malloc(floats * sizeof(float) + (size_t)m * widest);
    if (arena == NULL) return AXCL_RT_ERR(AXCL_SUB_ENGINE, AXCL_ERR_ID_NO_MEMORY);
    float *x = arena, *xn = x + (size_t)m * hidden, *q = xn + (size_t)m * hidden;
    float *k = q + (size_t)m * qDim, *v = k + (size_t)m * kvDim, *attention = v + (size_t)m * kvDim;
    float *projected = attention + (size_t)m * qDim, *x1 = projected + (size_t)m * hidden;
    float *gate = x1 + (size_t)m * hidden, *up = gate + (size_t)m * inter;
    float *row = up + (size_t)m * inter, *norm = row + widest, *scores = norm + widest;
    uint32_t *visible = (uint32_t *)(scores + span);
    bool *poisoned = (bool *)(visible + span); // one per K/V head; sized as h->kvHeads floats below
    float *table = (float *)((float *)poisoned + h->kvHeads);
    quantized_input quantized = {.scales = table + headDim * 2};
    quantized.scaledSums = quantized.scales + (size_t)m * widest / 32;
    quantized.values = (int8_t *)(quantized.scaledSums + (size_t)m * widest / 32);

    const float *factors = NULL;
    if (h->flags & AXSIM_FLAG_ROPE_FACTORS) {
        tensor_vector(sim_model_tensor(model, "rope_freqs.weight"), table + headDim);
        factors = table + headDim;
    }
    for (size_t i = 0; i < (size_t)m * hidden; i++) x[i] = sim_io_load(io->input.data, i, io->input.type);
    tensor_vector(sim_model_tensor(model, "attn_norm.weight"), norm);
    for (uint32_t t = 0; t < m; t++) rms_norm(xn + (size_t)t * hidden, x + (size_t)t * hidden, norm, hidden, h->rmsNormEps);

    matmul(sim_model_tensor(model, "attn_q.weight"), xn, m, q, &quantized);
    matmul(sim_model_tensor(model, "attn_k.weight"), xn, m, k, &quantized);
    matmul(sim_model_tensor(model, "attn_v.weight"), xn, m, v, &quantized);
    if (h->flags & AXSIM_FLAG_QKV_BIAS) {
        add_bias(sim_model_tensor(model, "attn_q.bias"), q, m, row);
        add_bias(sim_model_tensor(model, "attn_k.bias"), k, m, row);
        add_bias(sim_model_tensor(model, "attn_v.bias"), v, m, row);
    }
    for (uint32_t t = 0; t < m; t++) {
        if (h->flags & AXSIM_FLAG_QK_NORM) {
            tensor_vector(sim_model_tensor(model, "attn_q_norm.weight"), norm);
            for (uint32_t head = 0; head < h->heads; head++) {
                float *vector = q + (size_t)t * qDim + head * headDim;
                memcpy(row, vector, headDim * sizeof(float));
                rms_norm(vector, row, norm, headDim, h->rmsNormEps);
            }
            tensor_vector(sim_model_tensor(model, "attn_k_norm.weight"), norm);
            for (uint32_t head = 0; head < h->kvHeads; head++) {
                float *vector = k + (size_t)t * kvDim + head * headDim;
                memcpy(row, vector, headDim * sizeof(float));
                rms_norm(vector, row, norm, headDim, h->rmsNormEps);
            }
        }
        rope_table(table, headDim, io->indices[t], h->ropeTheta, factors);
        for (uint32_t head = 0; head < h->heads; head++) rope(q + (size_t)t * qDim + head * headDim, headDim, table, neox);
        for (uint32_t head = 0; head < h->kvHeads; head++) rope(k + (size_t)t * kvDim + head * headDim, headDim, table, neox);
    }
    // The chunk's own keys and values are seen at the cache's precision, exactly as they will be
    // read back from the cache by later steps; prefill and token-by-token decode then agree.
    for (size_t i = 0; i < (size_t)m * kvDim; i++) {
        k[i] = sim_io_round(k[i], io->kCache.type);
        v[i] = sim_io_round(v[i], io->vCache.type);
    }

    // Attention: cache rows [0, H) then the chunk's rows, with the additive bf16 mask of shape
    // [m, H + m] (axera.md §3.4, §3.6, §3.7). A key or value row is read from the cache or from the
    // chunk at the same (the cache's) precision, so both score it alike.
    for (uint32_t t = 0; t < m; t++) {
        const size_t maskRow = (size_t)t * span;
        uint32_t count = 0;
        for (uint32_t kvHead = 0; kvHead < h->kvHeads; kvHead++) poisoned[kvHead] = false;
        for (uint32_t j = 0; j < span; j++) {
            if (!masked(sim_io_load(io->mask.data, maskRow + j, io->mask.type))) {
                visible[count++] = j;
                continue;
            }
            for (uint32_t kvHead = 0; kvHead < h->kvHeads; kvHead++) {
                size_t at = (size_t)kvHead * headDim;
                bool finite = j < H ? io_row_is_finite(io->kCache, (size_t)j * kvDim + at, headDim) &&
                                          io_row_is_finite(io->vCache, (size_t)j * kvDim + at, headDim)
                                    : f32_row_is_finite(k + (size_t)(j - H) * kvDim + at, headDim) &&
                                          f32_row_is_finite(v + (size_t)(j - H) * kvDim + at, headDim);
                poisoned[kvHead] |= !finite;
            }
        }
        for (uint32_t head = 0; head < h->heads; head++) {
            const float *query = q + (size_t)t * qDim + head * headDim;
            const size_t kvOffset = (size_t)(head / groupSize) * headDim;
            float *out = attention + (size_t)t * qDim + head * headDim;
            if (poisoned[head / groupSize]) {
                for (uint32_t d = 0; d < headDim; d++) out[d] = NAN;
                continue;
            }
            for (uint32_t n = 0; n < count; n++) {
                uint32_t j = visible[n];
                const float *key = k + (size_t)(j - H) * kvDim + kvOffset;
                if (j < H) {
                    for (uint32_t d = 0; d < headDim; d++)
                        row[d] = sim_io_load(io->kCache.data, (size_t)j * kvDim + kvOffset + d, io->kCache.type);
                    key = row;
                }
                scores[n] = dot(query, key, headDim) * scale + sim_io_load(io->mask.data, maskRow + j, io->mask.type);
            }
            memset(out, 0, headDim * sizeof(float));
            if (count == 0) continue; // a fully masked row attends to nothing
            axl_softmax(scores, (int)count);
            for (uint32_t n = 0; n < count; n++) {
                uint32_t j = visible[n];
                if (j < H) {
                    const size_t value = (size_t)j * kvDim + kvOffset;
                    for (uint32_t d = 0; d < headDim; d++)
                        out[d] = fmaf(scores[n], sim_io_load(io->vCache.data, value + d, io->vCache.type), out[d]);
                } else {
                    const float *value = v + (size_t)(j - H) * kvDim + kvOffset;
                    for (uint32_t d = 0; d < headDim; d++) out[d] = fmaf(scores[n], value[d], out[d]);
                }
            }
        }
    }
    matmul(sim_model_tensor(model, "attn_output.weight"), attention, m, projected, &quantized);
    for (size_t i = 0; i < (size_t)m * hidden; i++) x1[i] = x[i] + projected[i];

    tensor_vector(sim_model_tensor(model, "ffn_norm.weight"), norm);
    for (uint32_t t = 0; t < m; t++) rms_norm(xn + (size_t)t * hidden, x1 + (size_t)t * hidden, norm, hidden, h->rmsNormEps);
    matmul(sim_model_tensor(model, "ffn_gate.weight"), xn, m, gate, &quantized);
    matmul(sim_model_tensor(model, "ffn_up.weight"), xn, m, up, &quantized);
    axl_silu_mul(gate, up, (int)((size_t)m * inter));
    matmul(sim_model_tensor(model, "ffn_down.weight"), gate, m, projected, &quantized);

    // Outputs are written last, so an output bound over an input cannot corrupt the computation.
    for (size_t i = 0; i < (size_t)m * kvDim; i++) {
        sim_io_store(io->kOut.data, i, io->kOut.type, k[i]);
        sim_io_store(io->vOut.data, i, io->vOut.type, v[i]);
    }
    for (size_t i = 0; i < (size_t)m * hidden; i++) sim_io_store(io->output.data, i, io->output.type, x1[i] + projected[i]);
    free(arena);
    return AXCL_SUCC;
}

static axclError run_post(const sim_model *model, io_buffer input, io_buffer output, uint32_t rows) {
    const axsim_model_header *h = &model->header;
    size_t floats = (size_t)rows * (h->hidden * 2 + h->vocab) + h->hidden + (size_t)rows * h->hidden / 16;
    float *arena = malloc(floats * sizeof(float) + (size_t)rows * h->hidden);
    if (arena == NULL) return AXCL_RT_ERR(AXCL_SUB_ENGINE, AXCL_ERR_ID_NO_MEMORY);
    float *x = arena, *xn = x + (size_t)rows * h->hidden, *logits = xn + (size_t)rows * h->hidden;
    float *norm = logits + (size_t)rows * h->vocab;
    quantized_input quantized = {.scales = norm + h->hidden};
    quantized.scaledSums = quantized.scales + (size_t)rows * h->hidden / 32;
    quantized.values = (int8_t *)(quantized.scaledSums + (size_t)rows * h->hidden / 32);
    for (size_t i = 0; i < (size_t)rows * h->hidden; i++) x[i] = sim_io_load(input.data, i, input.type);
    tensor_vector(sim_model_tensor(model, "output_norm.weight"), norm);
    for (uint32_t t = 0; t < rows; t++)
        rms_norm(xn + (size_t)t * h->hidden, x + (size_t)t * h->hidden, norm, h->hidden, h->rmsNormEps);
    matmul(sim_model_tensor(model, "output.weight"), xn, rows, logits, &quantized);
    for (size_t i = 0; i < (size_t)rows * h->vocab; i++) sim_io_store(output.data, i, output.type, logits[i]);
    free(arena);
    return AXCL_SUCC;
}

static uint8_t *slot(const sim_model *model, uint8_t *const *buffers, bool input, const char *name) {
    return buffers[(input ? 0 : model->io.inputCount) + (uint32_t)sim_io_index(&model->io, input, name)];
}

static io_buffer buffer(const sim_model *model, uint8_t *const *buffers, bool input, const char *name) {
    uint32_t entry = (input ? 0 : model->io.inputCount) + (uint32_t)sim_io_index(&model->io, input, name);
    return (io_buffer){.data = buffers[entry], .type = model->io.entries[entry].dataType};
}

static const axsim_io_shape *shape(const sim_model *model, uint32_t group, bool input, const char *name) {
    uint32_t slots = model->io.inputCount + model->io.outputCount;
    return &model->io.shapes[group * slots + (input ? 0 : model->io.inputCount) +
                             (uint32_t)sim_io_index(&model->io, input, name)];
}

axclError sim_run_model(const sim_model *model, uint32_t group, uint8_t *const *buffers) {
    if (model->header.kind == AXSIM_MODEL_POST) {
        return run_post(model, buffer(model, buffers, true, "input"), buffer(model, buffers, false, "output"),
                        (uint32_t)shape(model, group, true, "input")->dims[1]);
    }
    layer_io io = {
        .kCache = buffer(model, buffers, true, "K_cache"),
        .vCache = buffer(model, buffers, true, "V_cache"),
        .input = buffer(model, buffers, true, "input"),
        .mask = buffer(model, buffers, true, "mask"),
        .indices = (const uint32_t *)slot(model, buffers, true, "indices"),
        .kOut = buffer(model, buffers, false, "K_cache_out"),
        .vOut = buffer(model, buffers, false, "V_cache_out"),
        .output = buffer(model, buffers, false, "output"),
        .rows = (uint32_t)shape(model, group, true, "input")->dims[1],
        .history = (uint32_t)shape(model, group, true, "K_cache")->dims[1],
    };
    return run_layer(model, &io);
}
