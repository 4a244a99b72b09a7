// On-disk format of a simulated .axmodel (documented in docs/simulated-axmodel.md).
// All integers little-endian; the file is: header, IO table, shape-group table, tensor table,
// tensor data. Offsets are from the start of the file.
#ifndef AXLLAMA_AXSIM_MODEL_FORMAT_H
#define AXLLAMA_AXSIM_MODEL_FORMAT_H

#include <stdint.h>

#define AXSIM_MODEL_MAGIC "AXSIMMDL"
#define AXSIM_MODEL_VERSION 1u
#define AXSIM_NAME_BYTES 64
#define AXSIM_MAX_IO_DIMS 8
#define AXSIM_MAX_TENSOR_DIMS 4

typedef enum axsim_model_kind {
    AXSIM_MODEL_DECODER_LAYER = 1, // one transformer block (axera.md §3.4)
    AXSIM_MODEL_POST = 2,          // final norm + LM head into bf16 logits (axera.md §3.4)
} axsim_model_kind;

typedef enum axsim_model_flags {
    AXSIM_FLAG_ROPE_NEOX = 1u << 0,   // rotate (i, i + headDim/2) pairs; otherwise (2i, 2i+1)
    AXSIM_FLAG_QK_NORM = 1u << 1,     // per-head RMSNorm of q and k before RoPE (qwen3)
    AXSIM_FLAG_QKV_BIAS = 1u << 2,    // q, k, v projections carry a bias (qwen2)
    AXSIM_FLAG_ROPE_FACTORS = 1u << 3, // pair i's frequency is divided by rope_freqs.weight[i] (Llama 3)
} axsim_model_flags;

// Weight data types beyond the axclrtEngineDataType codes (FP32 15, BF16 14, FP16 13): the GGUF's
// quantized blocks, stored exactly as in the GGUF (0x10000 + the ggml_type number), so that the
// simulator computes with the CPU engine's kernels on the same bits. Rows are whole blocks.
typedef enum axsim_tensor_type {
    AXSIM_TENSOR_Q4_0 = 0x10002, // f16 scale + 16 bytes of nibbles: 18 bytes per 32 weights
    AXSIM_TENSOR_Q4_1 = 0x10003, // f16 scale + f16 minimum + 16 bytes: 20 bytes per 32 weights
    AXSIM_TENSOR_Q5_0 = 0x10006, // 22 bytes per 32 weights
    AXSIM_TENSOR_Q5_1 = 0x10007, // 24 bytes per 32 weights
    AXSIM_TENSOR_Q8_0 = 0x10008, // f16 scale + 32 int8: 34 bytes per 32 weights
    AXSIM_TENSOR_Q4_K = 0x1000C, // 144 bytes per 256 weights
    AXSIM_TENSOR_Q5_K = 0x1000D, // 176 bytes per 256 weights
    AXSIM_TENSOR_Q6_K = 0x1000E, // 210 bytes per 256 weights
} axsim_tensor_type;

typedef struct axsim_model_header {
    char magic[8];           // AXSIM_MODEL_MAGIC, not NUL-terminated
    uint32_t version;        // AXSIM_MODEL_VERSION
    uint32_t kind;           // axsim_model_kind
    uint32_t hidden;         // width of the hidden state
    uint32_t heads;          // query heads
    uint32_t kvHeads;        // key/value heads
    uint32_t headDim;
    uint32_t intermediate;   // MLP width (decoder layer)
    uint32_t vocab;          // logits (post model)
    float rmsNormEps;
    float ropeTheta;
    uint32_t flags;          // axsim_model_flags
    uint32_t groupCount;     // shape groups
    uint32_t inputCount;
    uint32_t outputCount;
    uint32_t tensorCount;
    uint32_t reserved0;
    uint64_t ioTableOffset;      // (inputCount + outputCount) axsim_io_entry, inputs first
    uint64_t groupTableOffset;   // groupCount x (inputCount + outputCount) axsim_io_shape
    uint64_t tensorTableOffset;  // tensorCount axsim_tensor_entry
    uint64_t fileBytes;          // total size, checked against the file
    char compilerVersion[24];    // reported by axclrtEngineGetModelCompilerVersion
} axsim_model_header;          // 128 bytes

typedef struct axsim_io_entry {
    char name[AXSIM_NAME_BYTES]; // NUL-terminated
    uint32_t dataType;           // axclrtEngineDataType code
    uint32_t reserved;
} axsim_io_entry;                // 72 bytes

typedef struct axsim_io_shape {
    uint32_t dimCount;
    int32_t dims[AXSIM_MAX_IO_DIMS]; // outermost first, as axclrtEngineIODims
} axsim_io_shape;                // 36 bytes

typedef struct axsim_tensor_entry {
    char name[AXSIM_NAME_BYTES];     // e.g. "attn_q.weight"
    uint32_t dataType;               // FP32 (15), BF16 (14), FP16 (13) or an axsim_tensor_type (matrices only)
    uint32_t dimCount;
    int32_t dims[AXSIM_MAX_TENSOR_DIMS]; // outermost first: a matrix is [rows = out, cols = in], rows contiguous
    uint64_t offset;                 // from the start of the file, 64-byte aligned
    uint64_t byteCount;
} axsim_tensor_entry;                // 104 bytes

#endif
