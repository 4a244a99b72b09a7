#include "KernelPaths.h"

#if AXL_KERNELS_AVX512
#include <immintrin.h>
#include "DotProductAVX512.h"
#include "QuantBlocks.h"
#include "WeightPrefetch.h"

// The q4_1 matmul for one token (a decode step) and for a batch alike, which reads each row with
// plain 64-byte loads in its file layout. A q4_1 block is 20 bytes, so every 4-byte lane of such a
// load lies in one block: either the block's header (f16 d, f16 m) or 4 of its 16 nibble bytes.
// Each token's activations are laid out once per call to match (row_activations), so one load of weights
// needs two u8 x s8 dot products, one conversion and two multiply-adds, where the tiled kernel
// spends about twice that per two blocks unpacking nibbles and assembling per-block scales:
//   nibble lane of block b:  d_b · da_b · Σ(q·a) over its 8 elements
//   header lane of block b:  m_b · xs_b  (xs = da · Σa, the minimum's term)
// Lane pattern: the blocks start at the same offsets every 320 bytes (16 blocks, five loads).

enum { LOADS_PER_PERIOD = 5 };

// Each lane's scale is a half of a header: nibble lanes take their block's d (the header's first
// half), header lanes their own m (its second half). HALF_OF is that half's offset in the header,
// for lane l of the load at position j of a period.
#define HALF_OF(j, l) ((64 * (j) + 4 * (l)) % 20 == 0 ? 2 : 0)
#define FOR_LANES(F, j)                                                                        \
    F(j, 0), F(j, 1), F(j, 2),  F(j, 3),  F(j, 4),  F(j, 5),  F(j, 6),  F(j, 7),               \
    F(j, 8), F(j, 9), F(j, 10), F(j, 11), F(j, 12), F(j, 13), F(j, 14), F(j, 15)

#if defined(__AVX512VBMI__)
// With VBMI one byte permute gathers the sixteen halves, packed, from (previous load, this load):
// lane l's are bytes HALF_BYTE(j, l) and the one after (block b's header is at byte 20b).
#define HALF_BYTE(j, l) (20 * ((64 * (j) + 4 * (l)) / 20) + HALF_OF(j, l) - 64 * ((j) - 1))
#define HALF_BYTES(j, l) HALF_BYTE(j, l), HALF_BYTE(j, l) + 1
static const uint8_t halfBytes[LOADS_PER_PERIOD][64] __attribute__((aligned(64))) = {
    {FOR_LANES(HALF_BYTES, 0)}, {FOR_LANES(HALF_BYTES, 1)}, {FOR_LANES(HALF_BYTES, 2)},
    {FOR_LANES(HALF_BYTES, 3)}, {FOR_LANES(HALF_BYTES, 4)}};
#else
// Without it: a dword permute brings each lane its block's header (dword 5b of the row, within
// (previous load, this load)), a shift moves the wanted half down, and a narrowing packs them.
#define HEADER_OF(j, l) (5 * ((64 * (j) + 4 * (l)) / 20) - 16 * ((j) - 1))
#define HALF_SHIFT(j, l) (8 * HALF_OF(j, l))
static const int32_t headerIndex[LOADS_PER_PERIOD][16] __attribute__((aligned(64))) = {
    {FOR_LANES(HEADER_OF, 0)}, {FOR_LANES(HEADER_OF, 1)}, {FOR_LANES(HEADER_OF, 2)},
    {FOR_LANES(HEADER_OF, 3)}, {FOR_LANES(HEADER_OF, 4)}};
static const int32_t halfShift[LOADS_PER_PERIOD][16] __attribute__((aligned(64))) = {
    {FOR_LANES(HALF_SHIFT, 0)}, {FOR_LANES(HALF_SHIFT, 1)}, {FOR_LANES(HALF_SHIFT, 2)},
    {FOR_LANES(HALF_SHIFT, 3)}, {FOR_LANES(HALF_SHIFT, 4)}};
#endif

// A token's activations in the row's byte layout, zero on header bytes and past the row.
enum { MAX_BYTES = AXL_DECODE_MAX_K / 32 * Q4_1_BYTES + 64 };
typedef struct {
    int8_t low[MAX_BYTES], high[MAX_BYTES];  // per byte: the activation of its low / high nibble
    float scale[MAX_BYTES / 4];              // per lane: da_b on nibble lanes, 0 on header lanes
    float offset[MAX_BYTES / 4];             // per lane: xs_b on header lanes, 0 on nibble lanes
} __attribute__((aligned(64))) row_activations;

static void lay_out_activations(const int8_t *xq, const float *xd, const float *xs, int nb,
                                int loads, row_activations *a) {
    memset(a->low, 0, (size_t)loads * 64);
    memset(a->high, 0, (size_t)loads * 64);
    memset(a->scale, 0, (size_t)loads * 64);
    memset(a->offset, 0, (size_t)loads * 64);
    for (int b = 0; b < nb; b++) {
        memcpy(a->low + 20 * b + 4, xq + 32 * b, 16);
        memcpy(a->high + 20 * b + 4, xq + 32 * b + 16, 16);
        a->offset[5 * b] = xs[b];
        for (int l = 1; l < 5; l++) a->scale[5 * b + l] = xd[b];
    }
}

// One 64-byte load of a row at position i (j = i mod 5): its lanes' contributions added to each
// of the nt tokens' totals. The weights' nibbles and scales are taken apart once for all tokens;
// each token's arithmetic is the same whatever nt is, so a token's result does not depend on the
// batch it is computed in.
static inline __attribute__((always_inline)) void step(
    __m512i raw, __m512i previous, int i, int j, const row_activations *a, int nt, __m512 *total) {
    const __m512i nibbleMask = _mm512_set1_epi8(0x0F);
    const __m512i low = _mm512_and_si512(raw, nibbleMask);
    const __m512i high = _mm512_and_si512(_mm512_srli_epi16(raw, 4), nibbleMask);
#if defined(__AVX512VBMI__)
    const __m256i halves = _mm512_castsi512_si256(
        _mm512_permutex2var_epi8(previous, _mm512_load_si512(halfBytes[j]), raw));
#else
    const __m512i header = _mm512_permutex2var_epi32(previous, _mm512_load_si512(headerIndex[j]), raw);
    const __m256i halves = _mm512_cvtepi32_epi16(_mm512_srlv_epi32(header, _mm512_load_si512(halfShift[j])));
#endif
    const __m512 weightScales = _mm512_cvtph_ps(halves);
    for (int t = 0; t < nt; t++) {
        __m512i sums = dot_u8s8_add(_mm512_setzero_si512(), low, _mm512_load_si512(a[t].low + 64 * i));
        sums = dot_u8s8_add(sums, high, _mm512_load_si512(a[t].high + 64 * i));
        const __m512 activation = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sums), _mm512_load_ps(a[t].scale + 16 * i),
                                                  _mm512_load_ps(a[t].offset + 16 * i));
        total[t] = _mm512_fmadd_ps(activation, weightScales, total[t]);
    }
}

// Rows [rowBegin, rowEnd) against nt (1...TILE, a constant after inlining) laid-out tokens.
static inline __attribute__((always_inline)) void multiply_rows(
    const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, const row_activations *a, int nt,
    float *out, size_t outStride) {
    const int full = (int)(rowBytes / 64), loads = (int)((rowBytes + 63) / 64);
    // the bytes of a row's last, partial load (used only when rowBytes is not a multiple of 64)
    const __mmask64 tailMask = _cvtu64_mask64(((uint64_t)1 << (rowBytes % 64)) - 1);
    for (int r = rowBegin; r < rowEnd; r++) {
        const uint8_t *row = w + (size_t)r * rowBytes;
        prefetch_ahead(row, rowBytes);
        __m512 total[TILE];
        for (int t = 0; t < nt; t++) total[t] = _mm512_setzero_ps();
        __m512i previous = _mm512_setzero_si512();
        int i = 0;
        for (; i + LOADS_PER_PERIOD <= full; i += LOADS_PER_PERIOD) {
            for (int j = 0; j < LOADS_PER_PERIOD; j++) {
                const __m512i raw = _mm512_loadu_si512((const void *)(row + 64 * (i + j)));
                step(raw, previous, i + j, j, a, nt, total);
                previous = raw;
            }
        }
        for (int j = 0; i < full; i++, j++) {
            const __m512i raw = _mm512_loadu_si512((const void *)(row + 64 * i));
            step(raw, previous, i, j, a, nt, total);
            previous = raw;
        }
        if (i < loads) {
            const __m512i raw = _mm512_maskz_loadu_epi8(tailMask, row + 64 * i);
            step(raw, previous, i, i % LOADS_PER_PERIOD, a, nt, total);
        }
        for (int t = 0; t < nt; t++) out[(size_t)t * outStride + r] = _mm512_reduce_add_ps(total[t]);
    }
}

void axl_avx512_decode_q4_1(const uint8_t *w, size_t rowBytes, int rowBegin, int rowEnd, int k,
                            const int8_t *xq, const float *xd, const float *xs, int tokenCount,
                            float *out, size_t outStride) {
    row_activations a[TILE];
    const int nb = k / 32, loads = (int)((rowBytes + 63) / 64);
    for (int t = 0; t < tokenCount; t += TILE) {
        const int nt = tokenCount - t < TILE ? tokenCount - t : TILE;
        for (int u = 0; u < nt; u++)
            lay_out_activations(xq + (size_t)(t + u) * k, xd + (size_t)(t + u) * nb, xs + (size_t)(t + u) * nb,
                                nb, loads, &a[u]);
        float *tokenOut = out + (size_t)t * outStride;
        switch (nt) {
            case 1: multiply_rows(w, rowBytes, rowBegin, rowEnd, a, 1, tokenOut, outStride); break;
            case 2: multiply_rows(w, rowBytes, rowBegin, rowEnd, a, 2, tokenOut, outStride); break;
            case 3: multiply_rows(w, rowBytes, rowBegin, rowEnd, a, 3, tokenOut, outStride); break;
            default: multiply_rows(w, rowBytes, rowBegin, rowEnd, a, TILE, tokenOut, outStride); break;
        }
    }
}

#endif
