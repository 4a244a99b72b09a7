// Software prefetch of the weights a matmul will read next.
#ifndef AXL_WEIGHT_PREFETCH_H
#define AXL_WEIGHT_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

// How far ahead of the row being multiplied the weights are requested. A decode step reads every
// weight once from memory, in rows of a few hundred bytes spread over ~200 tensors, and the
// hardware prefetchers alone left the single-token q4_1 kernel waiting on memory: on SmolLM2-135M's
// own tensors (30 layers, one token, one thread, x86-64 AVX-512) prefetching 4 KiB ahead took a
// sweep of every q4_1 matrix from about 10 ms to 4.6-4.8 ms; 2 and 8 KiB were up to a tenth slower
// than 4 (docs/architecture.md).
#define AXL_PREFETCH_DISTANCE 4096

// Requests the bytes that lie AXL_PREFETCH_DISTANCE past `row`'s, one cache line at a time. Called
// once per row of consecutive rows, it requests every line of the stream once; past the end of the
// tensor it only touches what follows in the file (a prefetch never faults).
static inline void prefetch_ahead(const uint8_t *row, size_t rowBytes) {
    for (size_t i = 0; i < rowBytes; i += 64) __builtin_prefetch(row + AXL_PREFETCH_DISTANCE + i);
}

#endif
