// Reading and validating simulated .axmodel files (format: axsim_model_format.h,
// docs/simulated-axmodel.md). The file stays memory-mapped while loaded: its weights are what
// the real runtime would have copied into CMM.
#include "sim_internal.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENGINE_ERR(id) AXCL_RT_ERR(AXCL_SUB_ENGINE, id)

// The vendor runtime logs load failures; so does the simulator, so that a broken converter
// output says what is wrong with it.
static axclError reject(const char *path, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    fprintf(stderr, "[axsim] cannot load %s: ", path);
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
    return ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
}

static uint64_t data_type_size(uint32_t type) {
    switch (type) {
    case AXCL_DATA_TYPE_INT8: case AXCL_DATA_TYPE_UINT8: return 1;
    case AXCL_DATA_TYPE_INT16: case AXCL_DATA_TYPE_UINT16: case AXCL_DATA_TYPE_FP16: case AXCL_DATA_TYPE_BF16: return 2;
    case AXCL_DATA_TYPE_INT32: case AXCL_DATA_TYPE_UINT32: case AXCL_DATA_TYPE_FP32: return 4;
    case AXCL_DATA_TYPE_INT64: case AXCL_DATA_TYPE_UINT64: case AXCL_DATA_TYPE_FP64: return 8;
    default: return 0;
    }
}

static uint64_t shape_elements(const axsim_io_shape *shape) {
    uint64_t count = 1;
    for (uint32_t d = 0; d < shape->dimCount; d++) count *= (uint64_t)(shape->dims[d] > 0 ? shape->dims[d] : 0);
    return count;
}

uint64_t sim_io_shape_bytes(const sim_io_description *io, uint32_t group, uint32_t slot) {
    uint32_t slots = io->inputCount + io->outputCount;
    return shape_elements(&io->shapes[group * slots + slot]) * data_type_size(io->entries[slot].dataType);
}

int32_t sim_io_index(const sim_io_description *io, bool input, const char *name) {
    uint32_t first = input ? 0 : io->inputCount;
    uint32_t count = input ? io->inputCount : io->outputCount;
    for (uint32_t i = 0; i < count; i++)
        if (strncmp(io->entries[first + i].name, name, AXSIM_NAME_BYTES) == 0) return (int32_t)i;
    return -1;
}

void sim_copy_io_description(sim_io_description *dst, const sim_io_description *src) {
    uint32_t slots = src->inputCount + src->outputCount;
    *dst = *src;
    dst->entries = malloc(slots * sizeof *dst->entries);
    dst->shapes = malloc((size_t)slots * src->groupCount * sizeof *dst->shapes);
    if (dst->entries) memcpy(dst->entries, src->entries, slots * sizeof *dst->entries);
    if (dst->shapes) memcpy(dst->shapes, src->shapes, (size_t)slots * src->groupCount * sizeof *dst->shapes);
}

void sim_free_io_description(sim_io_description *io) {
    free(io->entries);
    free(io->shapes);
    io->entries = NULL;
    io->shapes = NULL;
}

bool sim_tensor_is_float(uint32_t dataType) {
    return dataType == AXCL_DATA_TYPE_FP32 || dataType == AXCL_DATA_TYPE_BF16 || dataType == AXCL_DATA_TYPE_FP16;
}

// Bytes of one row of `cols` weights, 0 for a type a weight cannot have. Block sizes are
// ggml's (ggml-common.h), as the CPU engine's kernels read them.
static size_t tensor_row_bytes(uint32_t dataType, uint32_t cols) {
    if (sim_tensor_is_float(dataType)) return (size_t)cols * data_type_size(dataType);
    switch (dataType) {
    case AXSIM_TENSOR_Q4_0: return cols % 32 ? 0 : (size_t)cols / 32 * 18;
    case AXSIM_TENSOR_Q4_1: return cols % 32 ? 0 : (size_t)cols / 32 * 20;
    case AXSIM_TENSOR_Q5_0: return cols % 32 ? 0 : (size_t)cols / 32 * 22;
    case AXSIM_TENSOR_Q5_1: return cols % 32 ? 0 : (size_t)cols / 32 * 24;
    case AXSIM_TENSOR_Q8_0: return cols % 32 ? 0 : (size_t)cols / 32 * 34;
    case AXSIM_TENSOR_Q4_K: return cols % 256 ? 0 : (size_t)cols / 256 * 144;
    case AXSIM_TENSOR_Q5_K: return cols % 256 ? 0 : (size_t)cols / 256 * 176;
    case AXSIM_TENSOR_Q6_K: return cols % 256 ? 0 : (size_t)cols / 256 * 210;
    default: return 0;
    }
}

const sim_tensor *sim_model_tensor(const sim_model *model, const char *name) {
    for (uint32_t i = 0; i < model->tensorCount; i++)
        if (strcmp(model->tensors[i].name, name) == 0) return &model->tensors[i];
    return NULL;
}

void sim_release_model_mapping(sim_model *model) {
    if (model->mapping) munmap(model->mapping, model->mappingBytes);
    free(model->tensors);
    sim_free_io_description(&model->io);
    model->mapping = NULL;
    model->tensors = NULL;
}

static bool table_fits(uint64_t offset, uint64_t count, uint64_t entryBytes, uint64_t fileBytes) {
    return offset <= fileBytes && count <= (fileBytes - offset) / entryBytes;
}

axclError sim_parse_model(const char *path, sim_model *model) {
    memset(model, 0, sizeof *model);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "[axsim] cannot open model %s\n", path);
        return ENGINE_ERR(AXCL_ERR_ID_OPEN);
    }
    struct stat info;
    if (fstat(fd, &info) != 0 || info.st_size < (off_t)sizeof(axsim_model_header)) {
        close(fd);
        return reject(path, "the file is smaller than a simulated model header (is it a real .axmodel?)");
    }
    void *mapping = mmap(NULL, (size_t)info.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (mapping == MAP_FAILED) return reject(path, "mmap failed");
    model->mapping = mapping;
    model->mappingBytes = (size_t)info.st_size;
    uint64_t fileBytes = (uint64_t)info.st_size;
    const uint8_t *bytes = mapping;
    axsim_model_header header;
    memcpy(&header, bytes, sizeof header);
    axclError error = AXCL_SUCC;
    if (memcmp(header.magic, AXSIM_MODEL_MAGIC, 8) != 0)
        error = reject(path, "not a simulated model (magic is not %s)", AXSIM_MODEL_MAGIC);
    else if (header.version != AXSIM_MODEL_VERSION)
        error = reject(path, "format version %u, the simulator reads %u", header.version, AXSIM_MODEL_VERSION);
    else if (header.fileBytes != fileBytes)
        error = reject(path, "header says %llu bytes, the file has %llu (truncated?)",
                       (unsigned long long)header.fileBytes, (unsigned long long)fileBytes);
    else if (header.groupCount == 0 || header.inputCount == 0 || header.outputCount == 0)
        error = reject(path, "a model needs at least one shape group, input and output");
    if (error != AXCL_SUCC) goto fail;

    uint32_t slots = header.inputCount + header.outputCount;
    if (!table_fits(header.ioTableOffset, slots, sizeof(axsim_io_entry), fileBytes) ||
        !table_fits(header.groupTableOffset, (uint64_t)slots * header.groupCount, sizeof(axsim_io_shape), fileBytes) ||
        !table_fits(header.tensorTableOffset, header.tensorCount, sizeof(axsim_tensor_entry), fileBytes)) {
        error = reject(path, "a table lies outside the file");
        goto fail;
    }
    model->header = header;
    model->io.inputCount = header.inputCount;
    model->io.outputCount = header.outputCount;
    model->io.groupCount = header.groupCount;
    model->io.entries = malloc(slots * sizeof(axsim_io_entry));
    model->io.shapes = malloc((size_t)slots * header.groupCount * sizeof(axsim_io_shape));
    model->tensors = calloc(header.tensorCount ? header.tensorCount : 1, sizeof(sim_tensor));
    if (!model->io.entries || !model->io.shapes || !model->tensors) {
        error = ENGINE_ERR(AXCL_ERR_ID_NO_MEMORY);
        goto fail;
    }
    memcpy(model->io.entries, bytes + header.ioTableOffset, slots * sizeof(axsim_io_entry));
    memcpy(model->io.shapes, bytes + header.groupTableOffset, (size_t)slots * header.groupCount * sizeof(axsim_io_shape));
    for (uint32_t i = 0; i < slots; i++) {
        model->io.entries[i].name[AXSIM_NAME_BYTES - 1] = 0;
        if (data_type_size(model->io.entries[i].dataType) == 0) {
            error = reject(path, "IO %s has unsupported data type %u", model->io.entries[i].name,
                           model->io.entries[i].dataType);
            goto fail;
        }
    }
    for (uint32_t i = 0; i < slots * header.groupCount; i++) {
        if (model->io.shapes[i].dimCount == 0 || model->io.shapes[i].dimCount > AXSIM_MAX_IO_DIMS) {
            error = reject(path, "an IO shape has %u dimensions", model->io.shapes[i].dimCount);
            goto fail;
        }
    }
    model->tensorCount = header.tensorCount;
    for (uint32_t i = 0; i < header.tensorCount; i++) {
        const axsim_tensor_entry *entry = (const axsim_tensor_entry *)(bytes + header.tensorTableOffset) + i;
        sim_tensor *tensor = &model->tensors[i];
        tensor->name = entry->name;
        if (memchr(entry->name, 0, AXSIM_NAME_BYTES) == NULL) {
            error = reject(path, "tensor %u has an unterminated name", i);
            goto fail;
        }
        if (entry->dimCount == 1) tensor->rows = 1, tensor->cols = (uint32_t)entry->dims[0];
        else if (entry->dimCount == 2) tensor->rows = (uint32_t)entry->dims[0], tensor->cols = (uint32_t)entry->dims[1];
        else {
            error = reject(path, "tensor %s has %u dimensions; weights are vectors or matrices", entry->name,
                           entry->dimCount);
            goto fail;
        }
        tensor->rowBytes = tensor_row_bytes(entry->dataType, tensor->cols);
        if (tensor->rowBytes == 0) {
            error = reject(path, "tensor %s has data type %u; weights are FP32 (15), BF16 (14), FP16 (13), or "
                           "Q4_0/Q4_1/Q8_0/Q4_K/Q5_K/Q6_K blocks (0x10000 + ggml type) with whole blocks per row", entry->name,
                           entry->dataType);
            goto fail;
        }
        if (entry->dimCount == 1 && !sim_tensor_is_float(entry->dataType)) {
            error = reject(path, "tensor %s is a vector of quantized blocks; vectors are FP32, BF16 or FP16", entry->name);
            goto fail;
        }
        uint64_t expected = (uint64_t)tensor->rows * tensor->rowBytes;
        if (entry->byteCount != expected || !table_fits(entry->offset, entry->byteCount, 1, fileBytes)) {
            error = reject(path, "tensor %s: %llu bytes at %llu do not match its shape or the file", entry->name,
                           (unsigned long long)entry->byteCount, (unsigned long long)entry->offset);
            goto fail;
        }
        tensor->dataType = entry->dataType;
        tensor->data = bytes + entry->offset;
        model->weightBytes += entry->byteCount;
    }
    memcpy(model->compilerVersion, header.compilerVersion, sizeof header.compilerVersion);
    model->compilerVersion[sizeof header.compilerVersion] = 0;
    error = sim_validate_model(model);
    if (error != AXCL_SUCC) {
        fprintf(stderr, "[axsim] (in %s)\n", path);
        goto fail;
    }
    return AXCL_SUCC;
fail:
    sim_release_model_mapping(model);
    return error;
}

// MARK: Validation against the wiring of the vendor's layer and post models (axera.md §3.4)

static const axsim_io_shape *shape_of(const sim_model *model, uint32_t group, bool input, const char *name) {
    int32_t index = sim_io_index(&model->io, input, name);
    if (index < 0) return NULL;
    uint32_t slots = model->io.inputCount + model->io.outputCount;
    return &model->io.shapes[group * slots + (input ? 0 : model->io.inputCount) + (uint32_t)index];
}

static bool has_shape(const axsim_io_shape *shape, uint32_t count, int32_t d0, int32_t d1, int32_t d2) {
    int32_t want[3] = {d0, d1, d2};
    if (shape == NULL || shape->dimCount != count) return false;
    for (uint32_t d = 0; d < count; d++)
        if (shape->dims[d] != want[d]) return false;
    return true;
}

static axclError invalid(const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    fprintf(stderr, "[axsim] invalid simulated model: ");
    vfprintf(stderr, format, arguments);
    fputc('\n', stderr);
    va_end(arguments);
    return ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
}

static axclError require_tensor(const sim_model *model, const char *name, uint32_t rows, uint32_t cols) {
    const sim_tensor *tensor = sim_model_tensor(model, name);
    if (tensor == NULL) return invalid("missing tensor %s", name);
    if (tensor->rows != rows || tensor->cols != cols)
        return invalid("tensor %s is %ux%u, expected %ux%u", name, tensor->rows, tensor->cols, rows, cols);
    if (rows == 1 && !sim_tensor_is_float(tensor->dataType))
        return invalid("tensor %s is a vector; vectors are FP32, BF16 or FP16", name);
    return AXCL_SUCC;
}

static axclError require_io_type(const sim_model *model, bool input, const char *name, uint32_t type) {
    int32_t index = sim_io_index(&model->io, input, name);
    if (index < 0) return invalid("missing %s %s", input ? "input" : "output", name);
    uint32_t actual = model->io.entries[(input ? 0 : model->io.inputCount) + (uint32_t)index].dataType;
    if (actual != type) return invalid("%s has data type %u, expected %u", name, actual, type);
    return AXCL_SUCC;
}

// Activations, caches, masks and logits may be BF16 (the vendor's packages, axera.md §3.4),
// FP16 or FP32; the data type is the model's own, reported per tensor by the IO info.
static axclError require_float_io(const sim_model *model, bool input, const char *name) {
    int32_t index = sim_io_index(&model->io, input, name);
    if (index < 0) return invalid("missing %s %s", input ? "input" : "output", name);
    uint32_t actual = model->io.entries[(input ? 0 : model->io.inputCount) + (uint32_t)index].dataType;
    if (!sim_tensor_is_float(actual)) return invalid("%s has data type %u; float IO is BF16 (14), FP16 (13) or FP32 (15)", name, actual);
    return AXCL_SUCC;
}

static axclError validate_layer(const sim_model *model) {
    const axsim_model_header *h = &model->header;
    int32_t hidden = (int32_t)h->hidden, kv = (int32_t)(h->kvHeads * h->headDim);
    if (h->heads == 0 || h->kvHeads == 0 || h->headDim == 0 || h->heads % h->kvHeads != 0 || h->headDim % 2 != 0)
        return invalid("heads %u, kv heads %u, head dim %u do not form a grouped-query attention", h->heads,
                       h->kvHeads, h->headDim);
    axclError error = AXCL_SUCC;
    const char *floatInputs[] = {"K_cache", "V_cache", "input", "mask"};
    const char *outputs[] = {"K_cache_out", "V_cache_out", "output"};
    for (int i = 0; i < 4 && error == AXCL_SUCC; i++) error = require_float_io(model, true, floatInputs[i]);
    if (error == AXCL_SUCC) error = require_io_type(model, true, "indices", AXCL_DATA_TYPE_UINT32);
    for (int i = 0; i < 3 && error == AXCL_SUCC; i++) error = require_float_io(model, false, outputs[i]);
    for (uint32_t g = 0; g < h->groupCount && error == AXCL_SUCC; g++) {
        const axsim_io_shape *input = shape_of(model, g, true, "input");
        int32_t m = input->dimCount == 3 ? input->dims[1] : 0;
        const axsim_io_shape *kCache = shape_of(model, g, true, "K_cache");
        int32_t history = kCache->dimCount == 3 ? kCache->dims[1] : 0;
        const axsim_io_shape *indices = shape_of(model, g, true, "indices");
        if (m <= 0 || !has_shape(input, 3, 1, m, hidden)) error = invalid("group %u: input must be [1, m, %d]", g, hidden);
        else if (history <= 0 || !has_shape(kCache, 3, 1, history, kv) || !has_shape(shape_of(model, g, true, "V_cache"), 3, 1, history, kv))
            error = invalid("group %u: K_cache and V_cache must be [1, history, %d]", g, kv);
        else if (shape_elements(indices) != (uint64_t)m) error = invalid("group %u: indices must hold %d positions", g, m);
        else if (shape_elements(shape_of(model, g, true, "mask")) != (uint64_t)m * (uint64_t)(history + m))
            error = invalid("group %u: mask must be [1, %d, %d]", g, m, history + m);
        else if (!has_shape(shape_of(model, g, false, "K_cache_out"), 3, 1, m, kv) ||
                 !has_shape(shape_of(model, g, false, "V_cache_out"), 3, 1, m, kv))
            error = invalid("group %u: K_cache_out and V_cache_out must be [1, %d, %d]", g, m, kv);
        else if (!has_shape(shape_of(model, g, false, "output"), 3, 1, m, hidden))
            error = invalid("group %u: output must be [1, %d, %d]", g, m, hidden);
    }
    uint32_t q = h->heads * h->headDim, k = h->kvHeads * h->headDim;
    if (error == AXCL_SUCC) error = require_tensor(model, "attn_norm.weight", 1, h->hidden);
    if (error == AXCL_SUCC) error = require_tensor(model, "attn_q.weight", q, h->hidden);
    if (error == AXCL_SUCC) error = require_tensor(model, "attn_k.weight", k, h->hidden);
    if (error == AXCL_SUCC) error = require_tensor(model, "attn_v.weight", k, h->hidden);
    if (error == AXCL_SUCC) error = require_tensor(model, "attn_output.weight", h->hidden, q);
    if (error == AXCL_SUCC) error = require_tensor(model, "ffn_norm.weight", 1, h->hidden);
    if (error == AXCL_SUCC) error = require_tensor(model, "ffn_gate.weight", h->intermediate, h->hidden);
    if (error == AXCL_SUCC) error = require_tensor(model, "ffn_up.weight", h->intermediate, h->hidden);
    if (error == AXCL_SUCC) error = require_tensor(model, "ffn_down.weight", h->hidden, h->intermediate);
    if (error == AXCL_SUCC && (h->flags & AXSIM_FLAG_QKV_BIAS)) {
        error = require_tensor(model, "attn_q.bias", 1, q);
        if (error == AXCL_SUCC) error = require_tensor(model, "attn_k.bias", 1, k);
        if (error == AXCL_SUCC) error = require_tensor(model, "attn_v.bias", 1, k);
    }
    if (error == AXCL_SUCC && (h->flags & AXSIM_FLAG_ROPE_FACTORS))
        error = require_tensor(model, "rope_freqs.weight", 1, h->headDim / 2);
    if (error == AXCL_SUCC && (h->flags & AXSIM_FLAG_QK_NORM)) {
        error = require_tensor(model, "attn_q_norm.weight", 1, h->headDim);
        if (error == AXCL_SUCC) error = require_tensor(model, "attn_k_norm.weight", 1, h->headDim);
    }
    return error;
}

static axclError validate_post(const sim_model *model) {
    const axsim_model_header *h = &model->header;
    axclError error = require_float_io(model, true, "input");
    if (error == AXCL_SUCC) error = require_float_io(model, false, "output");
    for (uint32_t g = 0; g < h->groupCount && error == AXCL_SUCC; g++) {
        const axsim_io_shape *input = shape_of(model, g, true, "input");
        int32_t m = input->dimCount == 3 ? input->dims[1] : 0;
        if (m <= 0 || !has_shape(input, 3, 1, m, (int32_t)h->hidden)) error = invalid("group %u: input must be [1, m, %u]", g, h->hidden);
        else if (!has_shape(shape_of(model, g, false, "output"), 3, 1, m, (int32_t)h->vocab))
            error = invalid("group %u: output must be [1, %d, %u]", g, m, h->vocab);
    }
    if (error == AXCL_SUCC) error = require_tensor(model, "output_norm.weight", 1, h->hidden);
    if (error == AXCL_SUCC) error = require_tensor(model, "output.weight", h->vocab, h->hidden);
    return error;
}

axclError sim_validate_model(const sim_model *model) {
    if (model->header.hidden == 0) return invalid("hidden size is 0");
    switch (model->header.kind) {
    case AXSIM_MODEL_DECODER_LAYER: return validate_layer(model);
    case AXSIM_MODEL_POST: return validate_post(model);
    default: return invalid("unknown model kind %u", model->header.kind);
    }
}
