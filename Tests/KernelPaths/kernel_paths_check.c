// Checks this build's C kernels, and the portable scalar path beside them, against a
// double-precision product computed here from the GGUF block definitions, on seeded random data.
//
// scripts/test-neon-kernels.sh compiles it with Sources/CCPUKernels once per vector path (aarch64
// NEON with and without SDOT under qemu, the host's own path, the forced scalar path). It prints
// one line per kernel and exits with status 1 on any mismatch. With --speed it times each
// kernel on this build's path against the scalar one instead (scripts/test-neon-kernels.sh --speed).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "CCPUKernels.h"
#include "KernelPaths.h"

// The bound every kernel's result must meet: f32 accumulation keeps the error of a k-term dot
// product well below 1e-6 of the sum of the terms' magnitudes (measured: under 1e-7 for
// k <= 4096), while one misplaced element costs about 1/k of it.
#define RELATIVE_BOUND 1e-6
#define ABSOLUTE_BOUND 1e-6
// Marks output cells a kernel must not write (other rows, the stride's padding).
#define UNTOUCHED -12345.0f

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

// splitmix64: a fixed sequence on every platform, so a failure reproduces anywhere.
static uint64_t next_random(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static float uniform(float lo, float hi) {
    return lo + (hi - lo) * (float)((double)(next_random() >> 11) / 9007199254740992.0);
}

enum format { Q4_0, Q4_1, Q8_0, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, F32, F16, BF16, FORMAT_COUNT };

typedef void (*quantized_matmul)(const uint8_t *, size_t, int, int, int, const int8_t *, const float *,
                                 const float *, int, float *, size_t);
typedef void (*k_quant_matmul)(const uint8_t *, size_t, int, int, int, const int8_t *, const float *,
                               const int16_t *, int, float *, size_t);
typedef void (*float_matmul)(const uint8_t *, size_t, int, int, int, const float *, int, float *, size_t);

static const struct {
    const char *name;
    int block_elements, block_bytes;
    // exactly one pair is set: int8 activations in blocks of 32, Q8_K ones, or f32 ones
    quantized_matmul selected_q, scalar_q;
    k_quant_matmul selected_k, scalar_k;
    float_matmul selected_f, scalar_f;
} formats[FORMAT_COUNT] = {
    [Q4_0] = {"q4_0", 32, 18, .selected_q = axl_matmul_q4_0, .scalar_q = axl_scalar_matmul_q4_0},
    [Q4_1] = {"q4_1", 32, 20, .selected_q = axl_matmul_q4_1, .scalar_q = axl_scalar_matmul_q4_1},
    [Q8_0] = {"q8_0", 32, 34, .selected_q = axl_matmul_q8_0, .scalar_q = axl_scalar_matmul_q8_0},
    [Q5_0] = {"q5_0", 32, 22, .selected_q = axl_matmul_q5_0, .scalar_q = axl_scalar_matmul_q5_0},
    [Q5_1] = {"q5_1", 32, 24, .selected_q = axl_matmul_q5_1, .scalar_q = axl_scalar_matmul_q5_1},
    [Q4_K] = {"q4_K", 256, 144, .selected_k = axl_matmul_q4_k, .scalar_k = axl_scalar_matmul_q4_k},
    [Q5_K] = {"q5_K", 256, 176, .selected_k = axl_matmul_q5_k, .scalar_k = axl_scalar_matmul_q5_k},
    [Q6_K] = {"q6_K", 256, 210, .selected_k = axl_matmul_q6_k, .scalar_k = axl_scalar_matmul_q6_k},
    [F32] = {"f32", 1, 4, .selected_f = axl_matmul_f32, .scalar_f = axl_scalar_matmul_f32},
    [F16] = {"f16", 1, 2, .selected_f = axl_matmul_f16, .scalar_f = axl_scalar_matmul_f16},
    [BF16] = {"bf16", 1, 2, .selected_f = axl_matmul_bf16, .scalar_f = axl_scalar_matmul_bf16},
};

static void put_f16(uint8_t *p, float v) {
    _Float16 h = (_Float16)v;
    memcpy(p, &h, 2);
}

static double get_f16(const uint8_t *p) {
    _Float16 h;
    memcpy(&h, p, 2);
    return (double)h;
}

static double get_bf16(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    const uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

// Random rows with realistic scales and every quant value possible.
static void random_rows(enum format f, int rows, int k, uint8_t *out) {
    const size_t bytes = (size_t)rows * (k / formats[f].block_elements) * formats[f].block_bytes;
    uint8_t *p = out;
    while (p < out + bytes) {
        switch (f) {
        case Q4_0:
        case Q4_1:
            put_f16(p, uniform(0.001f, 0.05f));
            p += 2;
            if (f == Q4_1) { put_f16(p, uniform(-0.2f, 0.2f)); p += 2; }
            for (int i = 0; i < 16; i++) *p++ = (uint8_t)next_random();
            break;
        case Q8_0:
            put_f16(p, uniform(0.001f, 0.02f));
            p += 2;
            for (int i = 0; i < 32; i++) *p++ = (uint8_t)next_random();
            break;
        case Q5_0:
        case Q5_1:
            put_f16(p, uniform(0.001f, 0.03f));
            p += 2;
            if (f == Q5_1) { put_f16(p, uniform(-0.2f, 0.2f)); p += 2; }
            for (int i = 0; i < 20; i++) *p++ = (uint8_t)next_random();
            break;
        case Q4_K:
        case Q5_K:
            // d, dmin, then random 6-bit scales and mins, [fifth bits,] nibbles
            put_f16(p, uniform(0.0001f, 0.001f));
            put_f16(p + 2, uniform(0.0005f, 0.008f));
            p += 4;
            for (int i = 0; i < (f == Q5_K ? 172 : 140); i++) *p++ = (uint8_t)next_random();
            break;
        case Q6_K:
            // low nibbles, 2-bit highs and int8 scales at random, then d
            for (int i = 0; i < 208; i++) *p++ = (uint8_t)next_random();
            put_f16(p, uniform(0.00001f, 0.0002f));
            p += 2;
            break;
        case F32: {
            const float v = uniform(-1.0f, 1.0f);
            memcpy(p, &v, 4);
            p += 4;
            break;
        }
        case F16:
            put_f16(p, uniform(-1.0f, 1.0f));
            p += 2;
            break;
        case BF16: {
            const float v = uniform(-1.0f, 1.0f);
            uint32_t bits;
            memcpy(&bits, &v, 4);
            const uint16_t top = (uint16_t)(bits >> 16);
            memcpy(p, &top, 2);
            p += 2;
            break;
        }
        default:
            abort();
        }
    }
}

// Element i of a row, decoded from its block as ggml-common.h defines it.
static double weight(enum format f, const uint8_t *row, int i) {
    const uint8_t *block = row + (size_t)(i / formats[f].block_elements) * formats[f].block_bytes;
    const int j = i % 32;
    switch (f) {
    case Q4_0: {
        const uint8_t byte = block[2 + j % 16];
        return get_f16(block) * ((j < 16 ? byte & 0x0F : byte >> 4) - 8);
    }
    case Q4_1: {
        const uint8_t byte = block[4 + j % 16];
        return get_f16(block) * (j < 16 ? byte & 0x0F : byte >> 4) + get_f16(block + 2);
    }
    case Q8_0:
        return get_f16(block) * (int8_t)block[2 + j];
    case Q5_0:
    case Q5_1: {
        // f16 d, [f16 m,] 32 fifth bits (bit j for element j), then nibbles as in q4
        const uint8_t *qh = block + (f == Q5_1 ? 4 : 2), *qs = qh + 4;
        const int high = (qh[j / 8] >> (j % 8)) & 1;
        const int q = (j < 16 ? qs[j] & 0x0F : qs[j - 16] >> 4) | high << 4;
        return f == Q5_1 ? get_f16(block) * q + get_f16(block + 2) : get_f16(block) * (q - 16);
    }
    case Q4_K:
    case Q5_K: {
        // sub-block c = e / 32 has 6-bit scale sc and min m (get_scale_min_k4); its elements are
        // the low (c even) or high nibbles of 32 bytes, the fifth bit at bit c of qh[e % 32]
        const int e = i % 256, c = e / 32, l = e % 32;
        const uint8_t *packed = block + 4, *qh = block + 16, *qs = block + (f == Q5_K ? 48 : 16);
        const int sc = c < 4 ? packed[c] & 63 : (packed[c + 4] & 0x0F) | (packed[c - 4] >> 6) << 4;
        const int m = c < 4 ? packed[c + 4] & 63 : (packed[c + 4] >> 4) | (packed[c] >> 6) << 4;
        int q = (qs[32 * (c / 2) + l] >> (4 * (c % 2))) & 0x0F;
        if (f == Q5_K) q |= ((qh[l] >> c) & 1) << 4;
        return get_f16(block) * sc * q - get_f16(block + 2) * m;
    }
    case Q6_K: {
        // element 128h + 32g + l: low (g < 2) or high nibble of ql[64h + 32(g % 2) + l], bits 2g and
        // 2g + 1 of qh[32h + l]; int8 scale per 16 elements; d last
        const int e = i % 256, h = e / 128, g = (e % 128) / 32, l = e % 32;
        const int low = (block[64 * h + 32 * (g % 2) + l] >> (g < 2 ? 0 : 4)) & 0x0F;
        const int high = (block[128 + 32 * h + l] >> (2 * g)) & 3;
        return get_f16(block + 208) * (int8_t)block[192 + e / 16] * ((low | high << 4) - 32);
    }
    case F32: {
        float v;
        memcpy(&v, block, 4);
        return v;
    }
    case F16:
        return get_f16(block);
    case BF16:
        return get_bf16(block);
    default:
        abort();
    }
}

static int failures = 0;

// Activation quantization: the selected path must give the scalar path's bytes exactly, and
// each value must be within half a step of its input.
static void check_quantization(void) {
    enum { BLOCKS = 96, N = BLOCKS * 32 };
    static float x[N];
    static int8_t q_selected[N], q_scalar[N];
    static float d_selected[BLOCKS], d_scalar[BLOCKS], s_selected[BLOCKS], s_scalar[BLOCKS];
    for (int b = 0; b < BLOCKS; b++) {
        // ranges from tiny to huge; block 0 all zero; block 1 made of exact ties (scale 1)
        const float range = powf(10.0f, (float)(b % 13) - 6.0f);
        for (int i = 0; i < 32; i++) x[b * 32 + i] = uniform(-range, range);
    }
    memset(x, 0, 32 * sizeof(float));
    x[32] = 127.0f;
    for (int i = 1; i < 32; i++) x[32 + i] = (float)(i - 16) + 0.5f;
    axl_quantize_row_q8(x, N, q_selected, d_selected, s_selected);
    axl_scalar_quantize_row_q8(x, N, q_scalar, d_scalar, s_scalar);
    int identical = memcmp(q_selected, q_scalar, sizeof q_scalar) == 0 &&
                    memcmp(d_selected, d_scalar, sizeof d_scalar) == 0 &&
                    memcmp(s_selected, s_scalar, sizeof s_scalar) == 0;
    double worst_step = 0.0;
    int within = 1;
    for (int b = 0; b < BLOCKS; b++) {
        const double d = d_selected[b];
        long sum = 0;
        for (int i = 0; i < 32; i++) {
            const double error = fabs(q_selected[b * 32 + i] * d - x[b * 32 + i]);
            if (d > 0) worst_step = fmax(worst_step, error / d);
            if (error > d / 2 * 1.0001) within = 0;
            sum += q_selected[b * 32 + i];
        }
        if (fabs(s_selected[b] - d * (double)sum) > 1e-5 * fabs(d * (double)sum) + 1e-30) within = 0;
    }
    const int ok = identical && within;
    printf("%-6s %-13s %s; max |q*d - x| = %.4f steps   %s\n", "q8 act", axl_kernel_path(),
           identical ? "same bytes as the scalar path" : "DIFFERS from the scalar path", worst_step,
           ok ? "ok" : "FAIL");
    failures += !ok;

    // Q8_K (super-blocks of 256, sums of 16) over the same values: the same bytes as the scalar path
    static int8_t k_selected[N], k_scalar[N];
    static float kd_selected[N / 256], kd_scalar[N / 256];
    static int16_t sums_selected[N / 16], sums_scalar[N / 16];
    axl_quantize_row_q8_k(x, N, k_selected, kd_selected, sums_selected);
    axl_scalar_quantize_row_q8_k(x, N, k_scalar, kd_scalar, sums_scalar);
    const int k_identical = memcmp(k_selected, k_scalar, sizeof k_scalar) == 0 &&
                            memcmp(kd_selected, kd_scalar, sizeof kd_scalar) == 0 &&
                            memcmp(sums_selected, sums_scalar, sizeof sums_scalar) == 0;
    printf("%-6s %-13s %s   %s\n", "q8_K", axl_kernel_path(),
           k_identical ? "same bytes as the scalar path" : "DIFFERS from the scalar path", k_identical ? "ok" : "FAIL");
    failures += !k_identical;
}

typedef struct { int k, rows, tokens, row_begin, row_end; } shape;

// One batch of activations in every form a kernel reads: f32, int8 in blocks of 32 with scales
// and scaled sums, and Q8_K (int8 with a scale per 256 and sums of 16).
typedef struct {
    const float *x;
    const int8_t *xq;
    const float *xd, *xs;
    const int16_t *xsums;
} activations;

// Runs one kernel call for rows [row_begin, row_end) into a strided output and returns the worst
// error relative to the bound, or a negative value if a cell outside those rows was written.
static double run_case(enum format f, shape s, int selected, const uint8_t *w, activations a,
                       const double *expected, const double *magnitude, float *out) {
    const size_t stride = (size_t)s.rows + 3;
    const size_t row_bytes = (size_t)(s.k / formats[f].block_elements) * formats[f].block_bytes;
    for (size_t i = 0; i < stride * s.tokens; i++) out[i] = UNTOUCHED;
    if (formats[f].selected_q) {
        quantized_matmul kernel = selected ? formats[f].selected_q : formats[f].scalar_q;
        kernel(w, row_bytes, s.row_begin, s.row_end, s.k, a.xq, a.xd, a.xs, s.tokens, out, stride);
    } else if (formats[f].selected_k) {
        k_quant_matmul kernel = selected ? formats[f].selected_k : formats[f].scalar_k;
        kernel(w, row_bytes, s.row_begin, s.row_end, s.k, a.xq, a.xd, a.xsums, s.tokens, out, stride);
    } else {
        float_matmul kernel = selected ? formats[f].selected_f : formats[f].scalar_f;
        kernel(w, row_bytes, s.row_begin, s.row_end, s.k, a.x, s.tokens, out, stride);
    }
    double worst = 0.0;
    for (int t = 0; t < s.tokens; t++) {
        for (size_t r = 0; r < stride; r++) {
            const float got = out[t * stride + r];
            if ((int)r < s.row_begin || (int)r >= s.row_end) {
                if (got != UNTOUCHED) return -1.0;
                continue;
            }
            const size_t cell = (size_t)t * s.rows + r;
            const double bound = RELATIVE_BOUND * magnitude[cell] + ABSOLUTE_BOUND;
            const double ratio = fabs((double)got - expected[cell]) / bound;
            worst = ratio > worst || isnan(ratio) ? ratio : worst;
        }
    }
    return worst;
}

static void check_matmul(enum format f) {
    static const shape shapes[] = {
        {32, 7, 1, 0, 7},     {96, 11, 1, 3, 11},   {96, 11, 2, 0, 11},   {576, 9, 1, 0, 9},
        {576, 9, 3, 2, 7},    {576, 9, 4, 0, 9},    {576, 9, 5, 0, 9},    {576, 13, 9, 4, 13},
        {1536, 6, 1, 0, 6},   {1536, 6, 8, 1, 6},   {4096, 5, 1, 0, 5},   {4096, 5, 17, 0, 5},
    };
    // K-quant rows are whole super-blocks of 256
    static const shape k_quant_shapes[] = {
        {256, 7, 1, 0, 7},    {512, 11, 1, 3, 11},  {512, 11, 2, 0, 11},  {768, 9, 3, 2, 7},
        {768, 9, 4, 0, 9},    {768, 9, 5, 0, 9},    {768, 13, 9, 4, 13},  {1536, 6, 1, 0, 6},
        {1536, 6, 8, 1, 6},   {4096, 5, 1, 0, 5},   {4096, 5, 17, 0, 5},
    };
    enum { MAX_K = 4096, MAX_ROWS = 13, MAX_TOKENS = 17, CELLS = MAX_TOKENS * (MAX_ROWS + 3) };
    static uint8_t w[MAX_ROWS * MAX_K * 4];
    static float x[MAX_TOKENS * MAX_K], out_selected[CELLS], out_scalar[CELLS];
    static int8_t xq[MAX_TOKENS * MAX_K];
    static float xd[MAX_TOKENS * MAX_K / 32], xs[MAX_TOKENS * MAX_K / 32];
    static int16_t xsums[MAX_TOKENS * MAX_K / 16];
    static double expected[MAX_TOKENS * MAX_ROWS], magnitude[MAX_TOKENS * MAX_ROWS];
    const int blocks_of_32 = formats[f].selected_q != NULL, super_blocks = formats[f].selected_k != NULL;
    const shape *cases = super_blocks ? k_quant_shapes : shapes;
    const size_t case_count = super_blocks ? sizeof k_quant_shapes / sizeof k_quant_shapes[0]
                                           : sizeof shapes / sizeof shapes[0];
    const activations a = {x, xq, xd, xs, xsums};
    double worst_selected = 0.0, worst_scalar = 0.0, worst_between = 0.0;
    long products = 0;
    for (size_t c = 0; c < case_count; c++) {
        const shape s = cases[c];
        random_rows(f, s.rows, s.k, w);
        for (int i = 0; i < s.tokens * s.k; i++) x[i] = uniform(-3.0f, 3.0f);
        // a zero block, whose scale is 0, in the first token
        for (int i = 0; i < 32; i++) x[i] = 0.0f;
        if (blocks_of_32) axl_scalar_quantize_row_q8(x, s.tokens * s.k, xq, xd, xs);
        if (super_blocks) axl_quantize_row_q8_k(x, s.tokens * s.k, xq, xd, xsums);
        const size_t row_bytes = (size_t)(s.k / formats[f].block_elements) * formats[f].block_bytes;
        for (int t = 0; t < s.tokens; t++) {
            for (int r = 0; r < s.rows; r++) {
                double sum = 0.0, size = 0.0;
                for (int i = 0; i < s.k; i++) {
                    const size_t at = (size_t)t * s.k + i;
                    const double activation = blocks_of_32   ? (double)xq[at] * xd[at / 32]
                                              : super_blocks ? (double)xq[at] * xd[at / 256]
                                                             : (double)x[at];
                    const double term = weight(f, w + r * row_bytes, i) * activation;
                    sum += term;
                    size += fabs(term);
                }
                expected[t * s.rows + r] = sum;
                magnitude[t * s.rows + r] = size;
            }
        }
        const double selected = run_case(f, s, 1, w, a, expected, magnitude, out_selected);
        const double scalar = run_case(f, s, 0, w, a, expected, magnitude, out_scalar);
        if (selected < 0 || scalar < 0) {
            printf("%-6s k=%d rows %d..<%d: a row outside the range was written   FAIL\n",
                   formats[f].name, s.k, s.row_begin, s.row_end);
            failures++;
            return;
        }
        // the two paths against each other, cell by cell, with the same bound
        const size_t stride = (size_t)s.rows + 3;
        for (int t = 0; t < s.tokens; t++) {
            for (int r = s.row_begin; r < s.row_end; r++) {
                const double bound = RELATIVE_BOUND * magnitude[t * s.rows + r] + ABSOLUTE_BOUND;
                const double ratio = fabs((double)out_selected[t * stride + r] - out_scalar[t * stride + r]) / bound;
                worst_between = ratio > worst_between || isnan(ratio) ? ratio : worst_between;
            }
        }
        worst_selected = selected > worst_selected || isnan(selected) ? selected : worst_selected;
        worst_scalar = scalar > worst_scalar || isnan(scalar) ? scalar : worst_scalar;
        products += (long)s.tokens * (s.row_end - s.row_begin);
    }
    const int ok = worst_selected <= 1.0 && worst_scalar <= 1.0 && worst_between <= 1.0;
    printf("%-6s %-13s worst error %.3f of the bound (scalar path %.3f, paths apart %.3f) over %ld products   %s\n",
           formats[f].name, axl_kernel_path(), worst_selected, worst_scalar, worst_between, products,
           ok ? "ok" : "FAIL");
    failures += !ok;
}

// A token's outputs must not depend on how many tokens the call has: a prompt evaluated in one
// batch and token by token must give bit-identical K/V rows and logits (prefix reuse relies on it).
// A batch of 5 tokens (a full tile and one left over), each token's outputs against a call with
// that token alone, on this build's path and on the scalar one, including rows wider than the
// AVX-512 single-token q4_1 kernel's limit (AXL_DECODE_MAX_K = 8192).
static void check_batch_identity(enum format f) {
    enum { TOKENS = 5, ROWS = 3, MAX_K = 8448 };
    static const int widths[] = {32, 96, 576, 1536, 8448};
    static uint8_t w[ROWS * MAX_K * 4];
    static float x[TOKENS * MAX_K], batch[TOKENS * ROWS], alone[TOKENS * ROWS];
    static int8_t xq[TOKENS * MAX_K];
    static float xd[TOKENS * MAX_K / 32], xs[TOKENS * MAX_K / 32];
    static int16_t xsums[TOKENS * MAX_K / 16];
    int identical = 1, tested = 0;
    for (size_t c = 0; c < sizeof widths / sizeof widths[0]; c++) {
        const int k = widths[c];
        if (k % formats[f].block_elements != 0) continue;
        random_rows(f, ROWS, k, w);
        for (int i = 0; i < TOKENS * k; i++) x[i] = uniform(-3.0f, 3.0f);
        const int sumsPerToken = formats[f].selected_k ? k / 16 : k / 32;
        const int scalesPerToken = formats[f].selected_k ? k / 256 : k / 32;
        if (formats[f].selected_q) axl_quantize_row_q8(x, TOKENS * k, xq, xd, xs);
        if (formats[f].selected_k) axl_quantize_row_q8_k(x, TOKENS * k, xq, xd, xsums);
        const size_t row_bytes = (size_t)(k / formats[f].block_elements) * formats[f].block_bytes;
        for (int selected = 0; selected < 2; selected++) {
            for (int t = -1; t < TOKENS; t++) {
                // t = -1: the whole batch; otherwise token t alone
                const int n = t < 0 ? TOKENS : 1, first = t < 0 ? 0 : t;
                float *out = t < 0 ? batch : alone + t * ROWS;
                const int8_t *q = xq + (size_t)first * k;
                if (formats[f].selected_q)
                    (selected ? formats[f].selected_q : formats[f].scalar_q)(
                        w, row_bytes, 0, ROWS, k, q, xd + first * scalesPerToken, xs + first * sumsPerToken, n, out, ROWS);
                else if (formats[f].selected_k)
                    (selected ? formats[f].selected_k : formats[f].scalar_k)(
                        w, row_bytes, 0, ROWS, k, q, xd + first * scalesPerToken, xsums + first * sumsPerToken, n, out, ROWS);
                else
                    (selected ? formats[f].selected_f : formats[f].scalar_f)(
                        w, row_bytes, 0, ROWS, k, x + (size_t)first * k, n, out, ROWS);
            }
            if (memcmp(batch, alone, sizeof batch) != 0) {
                identical = 0;
                printf("%-6s %-13s k=%d: a token's outputs in a batch of %d differ from its own call\n",
                       formats[f].name, selected ? axl_kernel_path() : "scalar", k, TOKENS);
            }
            tested++;
        }
    }
    printf("%-6s %-13s batch of %d = one token at a time, bit for bit (%d widths, both paths)   %s\n",
           formats[f].name, axl_kernel_path(), TOKENS, tested / 2, identical ? "ok" : "FAIL");
    failures += !identical;
}

static double seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

// One format's kernel on this build's path and on the scalar path, single-threaded, for one token
// (a decode step) and a batch of 16 (prefill), on SmolLM2-135M's ffn_down shape (576 rows of
// 1536, whole K-quant super-blocks): the best of 5 runs of 10 calls each.
static void time_matmul(enum format f) {
    enum { K = 1536, ROWS = 576, TOKENS = 16 };
    static uint8_t w[ROWS * K * 4];
    static float x[TOKENS * K], xd[TOKENS * K / 32], xs[TOKENS * K / 32], out[TOKENS * ROWS];
    static int8_t xq[TOKENS * K];
    static int16_t xsums[TOKENS * K / 16];
    random_rows(f, ROWS, K, w);
    for (int i = 0; i < TOKENS * K; i++) x[i] = uniform(-3.0f, 3.0f);
    if (formats[f].selected_q) axl_quantize_row_q8(x, TOKENS * K, xq, xd, xs);
    if (formats[f].selected_k) axl_quantize_row_q8_k(x, TOKENS * K, xq, xd, xsums);
    const size_t row_bytes = (size_t)(K / formats[f].block_elements) * formats[f].block_bytes;
    for (int tokens = 1; tokens <= TOKENS; tokens += TOKENS - 1) {
        double best[2] = {INFINITY, INFINITY};
        for (int run = 0; run < 5; run++) {
            for (int scalar = 0; scalar < 2; scalar++) {
                const double start = seconds();
                for (int call = 0; call < 10; call++) {
                    if (formats[f].selected_q)
                        (scalar ? formats[f].scalar_q : formats[f].selected_q)(w, row_bytes, 0, ROWS, K, xq, xd, xs, tokens, out, ROWS);
                    else if (formats[f].selected_k)
                        (scalar ? formats[f].scalar_k : formats[f].selected_k)(w, row_bytes, 0, ROWS, K, xq, xd, xsums, tokens, out, ROWS);
                    else
                        (scalar ? formats[f].scalar_f : formats[f].selected_f)(w, row_bytes, 0, ROWS, K, x, tokens, out, ROWS);
                }
                const double elapsed = (seconds() - start) / 10;
                best[scalar] = elapsed < best[scalar] ? elapsed : best[scalar];
            }
        }
        printf("%-6s %-13s %2d token(s): %8.1f us, scalar path %8.1f us (%.2fx)\n", formats[f].name,
               axl_kernel_path(), tokens, best[0] * 1e6, best[1] * 1e6, best[1] / best[0]);
    }
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--speed") == 0) {
        for (int f = 0; f < FORMAT_COUNT; f++) time_matmul((enum format)f);
        return 0;
    }
    printf("kernel path: %s (bound %.0e x sum|w*x| + %.0e)\n", axl_kernel_path(), RELATIVE_BOUND,
           ABSOLUTE_BOUND);
    check_quantization();
    for (int f = 0; f < FORMAT_COUNT; f++) check_matmul((enum format)f);
    for (int f = 0; f < FORMAT_COUNT; f++) check_batch_identity((enum format)f);
    if (failures) printf("%d kernel check(s) failed\n", failures);
    return failures ? 1 : 0;
}
