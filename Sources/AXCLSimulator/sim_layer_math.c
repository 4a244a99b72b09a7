// The computation of simulated models: one llama/qwen transformer block wired as the vendor's
// decoder-layer engines are (axera.md §3.4), and the post model (final norm + LM head). IO is
// bf16 as on the card; the math inside is plain float.
#include "sim_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct layer_io {
    const uint16_t *kCache, *vCache, *input, *mask;
    const uint32_t *indices;
    uint16_t *kOut, *vOut, *output;
    uint32_t rows;    // m: tokens in this execute
    uint32_t history; // H: cache rows visible to this group
} layer_io;

static void tensor_row(const sim_tensor *tensor, uint32_t row, float *out) {
    if (tensor->dataType == AXCL_DATA_TYPE_FP32) {
        memcpy(out, (const float *)tensor->data + (size_t)row * tensor->cols, tensor->cols * sizeof(float));
    } else {
        const uint16_t *values = (const uint16_t *)tensor->data + (size_t)row * tensor->cols;
        for (uint32_t c = 0; c < tensor->cols; c++) out[c] = sim_bf16_to_f32(values[c]);
    }
}

// Eight independent partial sums let the compiler vectorise without reassociation flags.
static float dot(const float *a, const float *b, uint32_t n) {
    float partial[8] = {0};
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (uint32_t lane = 0; lane < 8; lane++) partial[lane] += a[i + lane] * b[i + lane];
    float sum = 0;
    for (; i < n; i++) sum += a[i] * b[i];
    for (uint32_t lane = 0; lane < 8; lane++) sum += partial[lane];
    return sum;
}

// y[t][r] = W[r] . x[t] for `tokens` rows of x; each weight row is converted once.
static void matmul(const sim_tensor *weight, const float *x, uint32_t tokens, float *y, float *rowScratch) {
    for (uint32_t r = 0; r < weight->rows; r++) {
        tensor_row(weight, r, rowScratch);
        for (uint32_t t = 0; t < tokens; t++)
            y[(size_t)t * weight->rows + r] = dot(rowScratch, x + (size_t)t * weight->cols, weight->cols);
    }
}

static void add_bias(const sim_tensor *bias, float *y, uint32_t tokens, float *scratch) {
    if (bias == NULL) return;
    tensor_row(bias, 0, scratch);
    for (uint32_t t = 0; t < tokens; t++)
        for (uint32_t c = 0; c < bias->cols; c++) y[(size_t)t * bias->cols + c] += scratch[c];
}

static void rms_norm(float *out, const float *x, const float *weight, uint32_t n, float eps) {
    float sumSquares = 0;
    for (uint32_t i = 0; i < n; i++) sumSquares += x[i] * x[i];
    float scale = 1.0f / sqrtf(sumSquares / (float)n + eps);
    for (uint32_t i = 0; i < n; i++) out[i] = x[i] * scale * weight[i];
}

// Rotates one head in place. NEOX pairs (i, i + d/2) (qwen); otherwise adjacent pairs (llama GGUF).
static void rope(float *head, uint32_t headDim, uint32_t position, float theta, bool neox) {
    uint32_t half = headDim / 2;
    for (uint32_t i = 0; i < half; i++) {
        float frequency = powf(theta, -2.0f * (float)i / (float)headDim);
        float angle = (float)position * frequency;
        float c = cosf(angle), s = sinf(angle);
        uint32_t a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
        float x0 = head[a], x1 = head[b];
        head[a] = x0 * c - x1 * s;
        head[b] = x0 * s + x1 * c;
    }
}

static float silu(float x) { return x / (1.0f + expf(-x)); }

static axclError run_layer(const sim_model *model, const layer_io *io) {
    const axsim_model_header *h = &model->header;
    const uint32_t m = io->rows, H = io->history, hidden = h->hidden, headDim = h->headDim;
    const uint32_t qDim = h->heads * headDim, kvDim = h->kvHeads * headDim, inter = h->intermediate;
    const uint32_t span = H + m, groupSize = h->heads / h->kvHeads;
    const bool neox = (h->flags & AXSIM_FLAG_ROPE_NEOX) != 0;
    const float scale = 1.0f / sqrtf((float)headDim);
    uint32_t widest = hidden > inter ? hidden : inter;
    if (qDim > widest) widest = qDim;

    size_t floats = (size_t)m * (hidden * 4 + qDim * 2 + kvDim * 2 + inter * 2) + widest * 2 + span;
    float *arena = malloc(floats * sizeof(float));
    if (arena == NULL) return AXCL_RT_ERR(AXCL_SUB_ENGINE, AXCL_ERR_ID_NO_MEMORY);
    float *x = arena, *xn = x + (size_t)m * hidden, *q = xn + (size_t)m * hidden;
    float *k = q + (size_t)m * qDim, *v = k + (size_t)m * kvDim, *attention = v + (size_t)m * kvDim;
    float *projected = attention + (size_t)m * qDim, *x1 = projected + (size_t)m * hidden;
    float *gate = x1 + (size_t)m * hidden, *up = gate + (size_t)m * inter;
    float *row = up + (size_t)m * inter, *norm = row + widest, *scores = norm + widest;

    for (size_t i = 0; i < (size_t)m * hidden; i++) x[i] = sim_bf16_to_f32(io->input[i]);
    tensor_row(sim_model_tensor(model, "attn_norm.weight"), 0, norm);
    for (uint32_t t = 0; t < m; t++) rms_norm(xn + (size_t)t * hidden, x + (size_t)t * hidden, norm, hidden, h->rmsNormEps);

    matmul(sim_model_tensor(model, "attn_q.weight"), xn, m, q, row);
    matmul(sim_model_tensor(model, "attn_k.weight"), xn, m, k, row);
    matmul(sim_model_tensor(model, "attn_v.weight"), xn, m, v, row);
    if (h->flags & AXSIM_FLAG_QKV_BIAS) {
        add_bias(sim_model_tensor(model, "attn_q.bias"), q, m, row);
        add_bias(sim_model_tensor(model, "attn_k.bias"), k, m, row);
        add_bias(sim_model_tensor(model, "attn_v.bias"), v, m, row);
    }
    for (uint32_t t = 0; t < m; t++) {
        if (h->flags & AXSIM_FLAG_QK_NORM) {
            tensor_row(sim_model_tensor(model, "attn_q_norm.weight"), 0, norm);
            for (uint32_t head = 0; head < h->heads; head++) {
                float *vector = q + (size_t)t * qDim + head * headDim;
                memcpy(row, vector, headDim * sizeof(float));
                rms_norm(vector, row, norm, headDim, h->rmsNormEps);
            }
            tensor_row(sim_model_tensor(model, "attn_k_norm.weight"), 0, norm);
            for (uint32_t head = 0; head < h->kvHeads; head++) {
                float *vector = k + (size_t)t * kvDim + head * headDim;
                memcpy(row, vector, headDim * sizeof(float));
                rms_norm(vector, row, norm, headDim, h->rmsNormEps);
            }
        }
        for (uint32_t head = 0; head < h->heads; head++)
            rope(q + (size_t)t * qDim + head * headDim, headDim, io->indices[t], h->ropeTheta, neox);
        for (uint32_t head = 0; head < h->kvHeads; head++)
            rope(k + (size_t)t * kvDim + head * headDim, headDim, io->indices[t], h->ropeTheta, neox);
    }
    // The chunk's own keys and values are seen at bf16 precision, exactly as they will be read
    // back from the cache by later steps; prefill and token-by-token decode then agree.
    for (size_t i = 0; i < (size_t)m * kvDim; i++) {
        k[i] = sim_bf16_to_f32(sim_f32_to_bf16(k[i]));
        v[i] = sim_bf16_to_f32(sim_f32_to_bf16(v[i]));
    }

    // Attention: cache rows [0, H) then the chunk's rows, with the additive bf16 mask
    // (0 visible, -65536 masked) of shape [m, H + m] (axera.md §3.4, §3.6, §3.7).
    for (uint32_t t = 0; t < m; t++) {
        const uint16_t *maskRow = io->mask + (size_t)t * span;
        for (uint32_t head = 0; head < h->heads; head++) {
            const float *query = q + (size_t)t * qDim + head * headDim;
            uint32_t kvHead = head / groupSize;
            float maximum = -INFINITY;
            for (uint32_t j = 0; j < span; j++) {
                float score = 0;
                if (j < H) {
                    // Same summation as the chunk's rows below, so a key scores the same from the
                    // cache as from the chunk (prefill and decode then agree bit for bit).
                    const uint16_t *key = io->kCache + (size_t)j * kvDim + kvHead * headDim;
                    for (uint32_t d = 0; d < headDim; d++) row[d] = sim_bf16_to_f32(key[d]);
                    score = dot(query, row, headDim);
                } else {
                    score = dot(query, k + (size_t)(j - H) * kvDim + kvHead * headDim, headDim);
                }
                scores[j] = score * scale + sim_bf16_to_f32(maskRow[j]);
                if (scores[j] > maximum) maximum = scores[j];
            }
            float total = 0;
            for (uint32_t j = 0; j < span; j++) {
                scores[j] = expf(scores[j] - maximum);
                total += scores[j];
            }
            float *out = attention + (size_t)t * qDim + head * headDim;
            memset(out, 0, headDim * sizeof(float));
            for (uint32_t j = 0; j < span; j++) {
                float weight = scores[j] / total;
                if (j < H) {
                    const uint16_t *value = io->vCache + (size_t)j * kvDim + kvHead * headDim;
                    for (uint32_t d = 0; d < headDim; d++) out[d] += weight * sim_bf16_to_f32(value[d]);
                } else {
                    const float *value = v + (size_t)(j - H) * kvDim + kvHead * headDim;
                    for (uint32_t d = 0; d < headDim; d++) out[d] += weight * value[d];
                }
            }
        }
    }
    matmul(sim_model_tensor(model, "attn_output.weight"), attention, m, projected, row);
    for (size_t i = 0; i < (size_t)m * hidden; i++) x1[i] = x[i] + projected[i];

    tensor_row(sim_model_tensor(model, "ffn_norm.weight"), 0, norm);
    for (uint32_t t = 0; t < m; t++) rms_norm(xn + (size_t)t * hidden, x1 + (size_t)t * hidden, norm, hidden, h->rmsNormEps);
    matmul(sim_model_tensor(model, "ffn_gate.weight"), xn, m, gate, row);
    matmul(sim_model_tensor(model, "ffn_up.weight"), xn, m, up, row);
    for (size_t i = 0; i < (size_t)m * inter; i++) gate[i] = silu(gate[i]) * up[i];
    matmul(sim_model_tensor(model, "ffn_down.weight"), gate, m, projected, row);

    // Outputs are written last, so an output bound over an input cannot corrupt the computation.
    for (size_t i = 0; i < (size_t)m * kvDim; i++) {
        io->kOut[i] = sim_f32_to_bf16(k[i]);
        io->vOut[i] = sim_f32_to_bf16(v[i]);
    }
    for (size_t i = 0; i < (size_t)m * hidden; i++) io->output[i] = sim_f32_to_bf16(x1[i] + projected[i]);
    free(arena);
    return AXCL_SUCC;
}

static axclError run_post(const sim_model *model, const uint16_t *input, uint16_t *output, uint32_t rows) {
    const axsim_model_header *h = &model->header;
    size_t floats = (size_t)rows * (h->hidden * 2 + h->vocab) + h->hidden * 2;
    float *arena = malloc(floats * sizeof(float));
    if (arena == NULL) return AXCL_RT_ERR(AXCL_SUB_ENGINE, AXCL_ERR_ID_NO_MEMORY);
    float *x = arena, *xn = x + (size_t)rows * h->hidden, *logits = xn + (size_t)rows * h->hidden;
    float *norm = logits + (size_t)rows * h->vocab, *row = norm + h->hidden;
    for (size_t i = 0; i < (size_t)rows * h->hidden; i++) x[i] = sim_bf16_to_f32(input[i]);
    tensor_row(sim_model_tensor(model, "output_norm.weight"), 0, norm);
    for (uint32_t t = 0; t < rows; t++)
        rms_norm(xn + (size_t)t * h->hidden, x + (size_t)t * h->hidden, norm, h->hidden, h->rmsNormEps);
    matmul(sim_model_tensor(model, "output.weight"), xn, rows, logits, row);
    for (size_t i = 0; i < (size_t)rows * h->vocab; i++) output[i] = sim_f32_to_bf16(logits[i]);
    free(arena);
    return AXCL_SUCC;
}

static uint8_t *slot(const sim_model *model, uint8_t *const *buffers, bool input, const char *name) {
    return buffers[(input ? 0 : model->io.inputCount) + (uint32_t)sim_io_index(&model->io, input, name)];
}

static const axsim_io_shape *shape(const sim_model *model, uint32_t group, bool input, const char *name) {
    uint32_t slots = model->io.inputCount + model->io.outputCount;
    return &model->io.shapes[group * slots + (input ? 0 : model->io.inputCount) +
                             (uint32_t)sim_io_index(&model->io, input, name)];
}

axclError sim_run_model(const sim_model *model, uint32_t group, uint8_t *const *buffers) {
    if (model->header.kind == AXSIM_MODEL_POST) {
        return run_post(model, (const uint16_t *)slot(model, buffers, true, "input"),
                        (uint16_t *)slot(model, buffers, false, "output"),
                        (uint32_t)shape(model, group, true, "input")->dims[1]);
    }
    layer_io io = {
        .kCache = (const uint16_t *)slot(model, buffers, true, "K_cache"),
        .vCache = (const uint16_t *)slot(model, buffers, true, "V_cache"),
        .input = (const uint16_t *)slot(model, buffers, true, "input"),
        .mask = (const uint16_t *)slot(model, buffers, true, "mask"),
        .indices = (const uint32_t *)slot(model, buffers, true, "indices"),
        .kOut = (uint16_t *)slot(model, buffers, false, "K_cache_out"),
        .vOut = (uint16_t *)slot(model, buffers, false, "V_cache_out"),
        .output = (uint16_t *)slot(model, buffers, false, "output"),
        .rows = (uint32_t)shape(model, group, true, "input")->dims[1],
        .history = (uint32_t)shape(model, group, true, "K_cache")->dims[1],
    };
    return run_layer(model, &io);
}
