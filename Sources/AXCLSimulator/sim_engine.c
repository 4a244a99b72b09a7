// Engine API (axera.md §1.7): engine init per device, model load/unload, IO info with shape
// groups, IO objects and their bindings, execute, plus the fault and timing hooks of execute.
#include "sim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENGINE_ERR(id) AXCL_RT_ERR(AXCL_SUB_ENGINE, id)

static const uint64_t kPage = 4096;

// Strings returned by the runtime are thread-local (axera.md §1.7).
static __thread char t_compilerVersion[32];

void sim_unload_model(sim_model *model) {
    sim_device *device = sim_find_device(model->deviceId);
    if (device && device->bootGeneration == model->bootGeneration)
        device->cmmUsed -= device->cmmUsed < model->cmmBytes ? device->cmmUsed : model->cmmBytes;
    sim_release_model_mapping(model);
    free(model);
}

// A model id is valid when loaded on the calling context's device in its current boot.
static sim_model *find_model(uint64_t modelId, const sim_device *device) {
    for (sim_model *m = g_sim.models; m; m = m->next)
        if (m->id == modelId && m->deviceId == device->id && m->bootGeneration == device->bootGeneration) return m;
    return NULL;
}

static sim_io_info *find_io_info(axclrtEngineIOInfo handle) {
    for (sim_io_info *i = g_sim.ioInfos; i; i = i->next)
        if ((void *)i == handle) return i;
    return NULL;
}

static sim_io *find_io(axclrtEngineIO handle) {
    for (sim_io *i = g_sim.ios; i; i = i->next)
        if ((void *)i == handle) return i;
    return NULL;
}

// Opens a call that needs a current context and an initialised engine.
static axclError enter_engine(sim_device **device) {
    sim_lock();
    axclError error = sim_require_context(device);
    if (error == AXCL_SUCC && !(*device)->engineInitialized) {
        fprintf(stderr, "[axsim] axclrtEngineInit has not been called on device %d\n", (*device)->id);
        error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
    }
    return error;
}

SIM_EXPORT axclError axclrtEngineInit(axclrtEngineVNpuKind npuKind) {
    if ((unsigned)npuKind > AXCL_VNPU_LITTLE_BIG) return ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
    sim_lock();
    sim_device *device = NULL;
    axclError error = sim_require_context(&device);
    if (error == AXCL_SUCC) {
        // A second init fails; GetVNpuKind then tells what the first user chose (axera.md §1.8).
        if (device->engineInitialized) error = ENGINE_ERR(AXCL_ERR_ID_BUSY);
        else device->engineInitialized = true, device->vnpuKind = npuKind;
    }
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtEngineGetVNpuKind(axclrtEngineVNpuKind *npuKind) {
    if (npuKind == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_device *device = NULL;
    axclError error = enter_engine(&device);
    if (error == AXCL_SUCC) *npuKind = device->vnpuKind;
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtEngineFinalize(void) {
    sim_device *device = NULL;
    axclError error = enter_engine(&device);
    if (error == AXCL_SUCC) device->engineInitialized = false;
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtEngineLoadFromFile(const char *modelPath, uint64_t *modelId) {
    if (modelPath == NULL || modelId == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_device *device = NULL;
    axclError error = enter_engine(&device); // context rules come before any file access
    sim_unlock();
    if (error != AXCL_SUCC) return error;
    sim_model *model = calloc(1, sizeof *model);
    if (model == NULL) return ENGINE_ERR(AXCL_ERR_ID_NO_MEMORY);
    error = sim_parse_model(modelPath, model);
    if (error != AXCL_SUCC) {
        free(model);
        return error;
    }
    model->cmmBytes = (model->mappingBytes + kPage - 1) / kPage * kPage;
    double loadSeconds = 0;
    error = enter_engine(&device);
    if (error == AXCL_SUCC) {
        g_sim.loads++;
        if (g_sim.hangAtLoad != 0 && g_sim.loads == g_sim.hangAtLoad) {
            // A load that never returns (axera.md §5: a card killed mid-load stays wedged); once
            // released it goes on as a load that was merely slow, against the card as it is then.
            sim_wait_for_hang_release();
            sim_unlock();
            error = enter_engine(&device);
        }
    }
    if (error == AXCL_SUCC) {
        bool injected = g_sim.exhaustedAtLoad != 0 && g_sim.loads >= g_sim.exhaustedAtLoad;
        if (injected || device->cmmUsed + model->cmmBytes > g_sim.config.cmmBudgetBytes) {
            // CMM exhaustion while loading (axera.md §1.2 field reports, ax-llm issue #21).
            fprintf(stderr, "[axsim] CMM exhausted loading %s (%llu KB free)\n", modelPath,
                    (unsigned long long)((g_sim.config.cmmBudgetBytes - device->cmmUsed) >> 10));
            error = ENGINE_ERR(AXCL_ERR_ID_NO_MEMORY);
        } else {
            model->id = ++g_sim.nextModelId;
            model->deviceId = device->id;
            model->bootGeneration = device->bootGeneration;
            model->nextContextId = 1;
            model->next = g_sim.models;
            g_sim.models = model;
            device->cmmUsed += model->cmmBytes;
            *modelId = model->id;
            if (g_sim.config.loadBandwidthBytesPerSecond > 0)
                loadSeconds = (double)model->mappingBytes / g_sim.config.loadBandwidthBytesPerSecond;
        }
    }
    sim_unlock();
    if (error != AXCL_SUCC) {
        sim_release_model_mapping(model);
        free(model);
    }
    sim_sleep_seconds(loadSeconds);
    return error;
}

SIM_EXPORT axclError axclrtEngineUnload(uint64_t modelId) {
    sim_device *device = NULL;
    axclError error = enter_engine(&device);
    if (error == AXCL_SUCC) {
        error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
        for (sim_model **link = &g_sim.models; *link; link = &(*link)->next) {
            sim_model *model = *link;
            if (model != find_model(modelId, device)) continue;
            *link = model->next;
            sim_unload_model(model);
            error = AXCL_SUCC;
            break;
        }
    }
    sim_unlock();
    return error;
}

SIM_EXPORT const char *axclrtEngineGetModelCompilerVersion(uint64_t modelId) {
    sim_device *device = NULL;
    t_compilerVersion[0] = 0;
    if (enter_engine(&device) == AXCL_SUCC) {
        sim_model *model = find_model(modelId, device);
        if (model) snprintf(t_compilerVersion, sizeof t_compilerVersion, "%s", model->compilerVersion);
    }
    sim_unlock();
    return t_compilerVersion;
}

SIM_EXPORT axclError axclrtEngineGetUsage(const char *modelPath, int64_t *sysSize, int64_t *cmmSize) {
    if (modelPath == NULL || sysSize == NULL || cmmSize == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_model model;
    axclError error = sim_parse_model(modelPath, &model);
    if (error != AXCL_SUCC) return error;
    *sysSize = 0; // "sysSize always 0" (axera.md §1.7)
    *cmmSize = (int64_t)((model.mappingBytes + kPage - 1) / kPage * kPage);
    sim_release_model_mapping(&model);
    return AXCL_SUCC;
}

SIM_EXPORT axclError axclrtEngineGetUsageFromModelId(uint64_t modelId, int64_t *sysSize, int64_t *cmmSize) {
    if (sysSize == NULL || cmmSize == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_device *device = NULL;
    axclError error = enter_engine(&device);
    if (error == AXCL_SUCC) {
        sim_model *model = find_model(modelId, device);
        if (model == NULL) error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
        else *sysSize = 0, *cmmSize = (int64_t)model->cmmBytes;
    }
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtEngineGetModelTypeFromModelId(uint64_t modelId, axclrtEngineModelKind *kind) {
    if (kind == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_device *device = NULL;
    axclError error = enter_engine(&device);
    if (error == AXCL_SUCC && find_model(modelId, device) == NULL) error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
    if (error == AXCL_SUCC) *kind = AXCL_MODEL_TYPE_1CORE;
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtEngineCreateContext(uint64_t modelId, uint64_t *contextId) {
    sim_hang_if_injected("axclrtEngineCreateContext");
    if (contextId == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_device *device = NULL;
    axclError error = enter_engine(&device);
    if (error == AXCL_SUCC) {
        sim_model *model = find_model(modelId, device);
        if (model == NULL) error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
        else *contextId = model->nextContextId++;
    }
    sim_unlock();
    return error;
}

// MARK: IO info: a host-side copy of the model's IO description

SIM_EXPORT axclError axclrtEngineGetIOInfo(uint64_t modelId, axclrtEngineIOInfo *ioInfo) {
    sim_hang_if_injected("axclrtEngineGetIOInfo");
    if (ioInfo == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_device *device = NULL;
    axclError error = enter_engine(&device);
    if (error == AXCL_SUCC) {
        sim_model *model = find_model(modelId, device);
        sim_io_info *info = model ? calloc(1, sizeof *info) : NULL;
        if (model == NULL) error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
        else if (info == NULL) error = ENGINE_ERR(AXCL_ERR_ID_NO_MEMORY);
        else {
            sim_copy_io_description(&info->io, &model->io);
            info->next = g_sim.ioInfos;
            g_sim.ioInfos = info;
            *ioInfo = info;
        }
    }
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtEngineDestroyIOInfo(axclrtEngineIOInfo ioInfo) {
    sim_lock();
    axclError error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
    for (sim_io_info **link = &g_sim.ioInfos; *link; link = &(*link)->next) {
        sim_io_info *info = *link;
        if ((void *)info != ioInfo) continue;
        *link = info->next;
        sim_free_io_description(&info->io);
        free(info);
        error = AXCL_SUCC;
        break;
    }
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtEngineGetShapeGroupsCount(axclrtEngineIOInfo ioInfo, int32_t *count) {
    if (count == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_io_info *info = find_io_info(ioInfo);
    if (info) *count = (int32_t)info->io.groupCount;
    sim_unlock();
    return info ? AXCL_SUCC : ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
}

SIM_EXPORT uint32_t axclrtEngineGetNumInputs(axclrtEngineIOInfo ioInfo) {
    sim_lock();
    sim_io_info *info = find_io_info(ioInfo);
    uint32_t count = info ? info->io.inputCount : 0;
    sim_unlock();
    return count;
}

SIM_EXPORT uint32_t axclrtEngineGetNumOutputs(axclrtEngineIOInfo ioInfo) {
    sim_lock();
    sim_io_info *info = find_io_info(ioInfo);
    uint32_t count = info ? info->io.outputCount : 0;
    sim_unlock();
    return count;
}

// Slot of input/output `index`, or -1 when the info or the index is invalid.
static int64_t slot_of(const sim_io_info *info, bool input, uint32_t index) {
    if (info == NULL) return -1;
    if (input) return index < info->io.inputCount ? (int64_t)index : -1;
    return index < info->io.outputCount ? (int64_t)(info->io.inputCount + index) : -1;
}

// Names are not per group, and stay valid until DestroyIOInfo (axera.md §1.7).
static const char *io_name(axclrtEngineIOInfo ioInfo, bool input, uint32_t index) {
    sim_lock();
    sim_io_info *info = find_io_info(ioInfo);
    int64_t slot = slot_of(info, input, index);
    const char *name = slot >= 0 ? info->io.entries[slot].name : NULL;
    sim_unlock();
    return name;
}

SIM_EXPORT const char *axclrtEngineGetInputNameByIndex(axclrtEngineIOInfo ioInfo, uint32_t index) {
    return io_name(ioInfo, true, index);
}
SIM_EXPORT const char *axclrtEngineGetOutputNameByIndex(axclrtEngineIOInfo ioInfo, uint32_t index) {
    return io_name(ioInfo, false, index);
}

static int32_t io_index_by_name(axclrtEngineIOInfo ioInfo, bool input, const char *name) {
    if (name == NULL) return -1;
    sim_lock();
    sim_io_info *info = find_io_info(ioInfo);
    int32_t index = info ? sim_io_index(&info->io, input, name) : -1;
    sim_unlock();
    return index;
}

SIM_EXPORT int32_t axclrtEngineGetInputIndexByName(axclrtEngineIOInfo ioInfo, const char *name) {
    return io_index_by_name(ioInfo, true, name);
}
SIM_EXPORT int32_t axclrtEngineGetOutputIndexByName(axclrtEngineIOInfo ioInfo, const char *name) {
    return io_index_by_name(ioInfo, false, name);
}

// V3.10.2 returns 0 for an invalid group or index (the encoded-error return is a newer API).
static uint64_t io_size(axclrtEngineIOInfo ioInfo, bool input, uint32_t group, uint32_t index) {
    sim_lock();
    sim_io_info *info = find_io_info(ioInfo);
    int64_t slot = slot_of(info, input, index);
    uint64_t size = (slot >= 0 && group < info->io.groupCount) ? sim_io_shape_bytes(&info->io, group, (uint32_t)slot) : 0;
    sim_unlock();
    return size;
}

SIM_EXPORT uint64_t axclrtEngineGetInputSizeByIndex(axclrtEngineIOInfo ioInfo, uint32_t group, uint32_t index) {
    return io_size(ioInfo, true, group, index);
}
SIM_EXPORT uint64_t axclrtEngineGetOutputSizeByIndex(axclrtEngineIOInfo ioInfo, uint32_t group, uint32_t index) {
    return io_size(ioInfo, false, group, index);
}

static axclError io_dims(axclrtEngineIOInfo ioInfo, bool input, uint32_t group, uint32_t index, axclrtEngineIODims *dims) {
    if (dims == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_io_info *info = find_io_info(ioInfo);
    int64_t slot = slot_of(info, input, index);
    axclError error = AXCL_SUCC;
    if (info == NULL) error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
    else if (slot < 0 || group >= info->io.groupCount) error = AXCL_ERR_ENGINE_INVALID_INDEX;
    else {
        const axsim_io_shape *shape = &info->io.shapes[group * (info->io.inputCount + info->io.outputCount) + (uint32_t)slot];
        memset(dims, 0, sizeof *dims);
        dims->dimCount = (int32_t)shape->dimCount;
        for (uint32_t d = 0; d < shape->dimCount; d++) dims->dims[d] = shape->dims[d];
    }
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtEngineGetInputDims(axclrtEngineIOInfo ioInfo, uint32_t group, uint32_t index,
                                              axclrtEngineIODims *dims) {
    return io_dims(ioInfo, true, group, index, dims);
}
SIM_EXPORT axclError axclrtEngineGetOutputDims(axclrtEngineIOInfo ioInfo, uint32_t group, uint32_t index,
                                               axclrtEngineIODims *dims) {
    return io_dims(ioInfo, false, group, index, dims);
}

static axclError io_type(axclrtEngineIOInfo ioInfo, bool input, uint32_t index, axclrtEngineDataType *type) {
    if (type == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_io_info *info = find_io_info(ioInfo);
    int64_t slot = slot_of(info, input, index);
    axclError error = info == NULL ? ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM)
                      : slot < 0   ? AXCL_ERR_ENGINE_INVALID_INDEX
                                   : AXCL_SUCC;
    if (error == AXCL_SUCC) *type = (axclrtEngineDataType)info->io.entries[slot].dataType;
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtEngineGetInputDataType(axclrtEngineIOInfo ioInfo, uint32_t index, axclrtEngineDataType *type) {
    return io_type(ioInfo, true, index, type);
}
SIM_EXPORT axclError axclrtEngineGetOutputDataType(axclrtEngineIOInfo ioInfo, uint32_t index, axclrtEngineDataType *type) {
    return io_type(ioInfo, false, index, type);
}

SIM_EXPORT axclError axclrtEngineGetInputDataLayout(axclrtEngineIOInfo ioInfo, uint32_t index,
                                                    axclrtEngineDataLayout *layout) {
    axclrtEngineDataType type;
    axclError error = io_type(ioInfo, true, index, &type);
    if (error == AXCL_SUCC && layout) *layout = AXCL_DATA_LAYOUT_NONE;
    return error;
}
SIM_EXPORT axclError axclrtEngineGetOutputDataLayout(axclrtEngineIOInfo ioInfo, uint32_t index,
                                                     axclrtEngineDataLayout *layout) {
    axclrtEngineDataType type;
    axclError error = io_type(ioInfo, false, index, &type);
    if (error == AXCL_SUCC && layout) *layout = AXCL_DATA_LAYOUT_NONE;
    return error;
}

// MARK: IO objects and bindings

SIM_EXPORT axclError axclrtEngineCreateIO(axclrtEngineIOInfo ioInfo, axclrtEngineIO *handle) {
    sim_hang_if_injected("axclrtEngineCreateIO");
    if (handle == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_io_info *info = find_io_info(ioInfo);
    axclError error = AXCL_SUCC;
    if (info == NULL) {
        error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
    } else {
        uint32_t slots = info->io.inputCount + info->io.outputCount;
        sim_io *io = calloc(1, sizeof *io);
        if (io) io->names = calloc(slots, AXSIM_NAME_BYTES), io->bindings = calloc(slots, sizeof(sim_binding));
        if (io == NULL || io->names == NULL || io->bindings == NULL) {
            if (io) free(io->names), free(io->bindings);
            free(io);
            error = ENGINE_ERR(AXCL_ERR_ID_NO_MEMORY);
        } else {
            // One unbound entry per input/output; names and counts are copied (axera.md §1.7).
            io->inputCount = info->io.inputCount;
            io->outputCount = info->io.outputCount;
            io->batchSize = 1;
            for (uint32_t i = 0; i < slots; i++) memcpy(io->names[i], info->io.entries[i].name, AXSIM_NAME_BYTES);
            io->next = g_sim.ios;
            g_sim.ios = io;
            *handle = io;
        }
    }
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtEngineDestroyIO(axclrtEngineIO handle) {
    sim_lock();
    axclError error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
    for (sim_io **link = &g_sim.ios; *link; link = &(*link)->next) {
        sim_io *io = *link;
        if ((void *)io != handle) continue;
        *link = io->next; // bound device buffers are not freed (axera.md §1.7)
        free(io->names);
        free(io->bindings);
        free(io);
        error = AXCL_SUCC;
        break;
    }
    sim_unlock();
    return error;
}

static axclError bind(axclrtEngineIO handle, bool input, uint32_t index, const char *name, const void *buffer, uint64_t size) {
    if (handle == NULL || buffer == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    if (size == 0) return ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM); // size > 0 (axera.md §1.7)
    sim_lock();
    sim_io *io = find_io(handle);
    axclError error = AXCL_SUCC;
    if (io == NULL) {
        error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
    } else {
        uint32_t first = input ? 0 : io->inputCount, count = input ? io->inputCount : io->outputCount;
        if (name) {
            index = UINT32_MAX;
            for (uint32_t i = 0; i < count; i++)
                if (strncmp(io->names[first + i], name, AXSIM_NAME_BYTES) == 0) index = i;
        }
        if (index >= count) error = AXCL_ERR_ENGINE_INVALID_INDEX;
        else io->bindings[first + index] = (sim_binding){.address = (uint64_t)(uintptr_t)buffer, .size = size};
    }
    sim_unlock();
    return error; // only address and size are recorded; checks happen at execute
}

SIM_EXPORT axclError axclrtEngineSetInputBufferByIndex(axclrtEngineIO io, uint32_t index, const void *devBuf, uint64_t size) {
    sim_hang_if_injected("axclrtEngineSetInputBufferByIndex");
    return bind(io, true, index, NULL, devBuf, size);
}
SIM_EXPORT axclError axclrtEngineSetOutputBufferByIndex(axclrtEngineIO io, uint32_t index, const void *devBuf, uint64_t size) {
    sim_hang_if_injected("axclrtEngineSetOutputBufferByIndex");
    return bind(io, false, index, NULL, devBuf, size);
}
SIM_EXPORT axclError axclrtEngineSetInputBufferByName(axclrtEngineIO io, const char *name, const void *devBuf, uint64_t size) {
    sim_hang_if_injected("axclrtEngineSetInputBufferByName");
    return name ? bind(io, true, 0, name, devBuf, size) : ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
}
SIM_EXPORT axclError axclrtEngineSetOutputBufferByName(axclrtEngineIO io, const char *name, const void *devBuf, uint64_t size) {
    sim_hang_if_injected("axclrtEngineSetOutputBufferByName");
    return name ? bind(io, false, 0, name, devBuf, size) : ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
}

static axclError bound(axclrtEngineIO handle, bool input, uint32_t index, void **buffer, uint64_t *size) {
    if (buffer == NULL || size == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_io *io = find_io(handle);
    axclError error = AXCL_SUCC;
    if (io == NULL) error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
    else if (index >= (input ? io->inputCount : io->outputCount)) error = AXCL_ERR_ENGINE_INVALID_INDEX;
    else {
        sim_binding binding = io->bindings[(input ? 0 : io->inputCount) + index];
        *buffer = (void *)(uintptr_t)binding.address; // NULL, 0 when unbound
        *size = binding.size;
    }
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtEngineGetInputBufferByIndex(axclrtEngineIO io, uint32_t index, void **devBuf, uint64_t *size) {
    return bound(io, true, index, devBuf, size);
}
SIM_EXPORT axclError axclrtEngineGetOutputBufferByIndex(axclrtEngineIO io, uint32_t index, void **devBuf, uint64_t *size) {
    return bound(io, false, index, devBuf, size);
}

SIM_EXPORT axclError axclrtEngineSetDynamicBatchSize(axclrtEngineIO handle, uint32_t batchSize) {
    sim_lock();
    sim_io *io = find_io(handle);
    if (io) io->batchSize = batchSize; // stored, validated at execute (axera.md §1.7)
    sim_unlock();
    return io ? AXCL_SUCC : ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
}

// MARK: Execute

// Applies the injected faults to the execute that was just counted. Called with the lock held;
// a hang waits (releasing the lock) until axsim_release_hangs or axsim_reset.
static axclError injected_fault(sim_device *device) {
    uint64_t n = g_sim.executes;
    bool offlineCard = !g_sim.offlineStruck || g_sim.offlineDeviceId == device->id;
    if (g_sim.offlineAfterExecute != 0 && n > g_sim.offlineAfterExecute && offlineCard) {
        g_sim.offlineStruck = true;
        g_sim.offlineDeviceId = device->id;
        sim_mark_device_offline(device); // the card drops off the bus: this execute fails, later calls see NO_CONNECT
        return AXCL_RT_ERR(AXCL_SUB_ENGINE, AXCL_ERR_ID_EXECUTE_FAIL);
    }
    if (g_sim.errorAtExecute != 0 && n == g_sim.errorAtExecute) return AXCL_RT_ERR(AXCL_SUB_ENGINE, AXCL_ERR_ID_EXECUTE_FAIL);
    if (g_sim.hangAtExecute != 0 && n == g_sim.hangAtExecute) {
        sim_wait_for_hang_release();
        return AXCL_RT_ERR(AXCL_SUB_ENGINE, AXCL_ERR_ID_EXECUTE_FAIL);
    }
    return AXCL_SUCC;
}

SIM_EXPORT axclError axclrtEngineExecute(uint64_t modelId, uint64_t contextId, uint32_t group, axclrtEngineIO handle) {
    // modelId 0 / contextId 0 -> ILLEGAL_PARAM, io NULL -> NULL_POINTER (axera.md §1.7).
    if (modelId == 0 || contextId == 0) return ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
    if (handle == NULL) return ENGINE_ERR(AXCL_ERR_ID_NULL_POINTER);
    sim_device *device = NULL;
    axclError error = enter_engine(&device);
    sim_model *model = error == AXCL_SUCC ? find_model(modelId, device) : NULL;
    sim_io *io = error == AXCL_SUCC ? find_io(handle) : NULL;
    uint8_t **buffers = NULL;
    double seconds = 0;
    if (error != AXCL_SUCC) goto done;
    if (model == NULL || contextId >= model->nextContextId || io == NULL ||
        io->inputCount != model->io.inputCount || io->outputCount != model->io.outputCount) {
        error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
        goto done;
    }
    if (group >= model->io.groupCount) {
        error = AXCL_ERR_ENGINE_INVALID_INDEX;
        goto done;
    }
    uint32_t slots = io->inputCount + io->outputCount;
    buffers = calloc(slots, sizeof *buffers);
    uint64_t bytes = model->weightBytes;
    for (uint32_t s = 0; s < slots && buffers; s++) {
        // The caller must bind at least the size the selected group needs (axera.md §1.7).
        uint64_t needed = sim_io_shape_bytes(&model->io, group, s);
        sim_binding binding = io->bindings[s];
        buffers[s] = binding.size >= needed ? sim_device_bytes(binding.address, needed) : NULL;
        if (buffers[s] == NULL) {
            fprintf(stderr, "[axsim] execute: %s %s is %s (group %u needs %llu bytes)\n", s < io->inputCount ? "input" : "output",
                    io->names[s], binding.address == 0 ? "not bound" : "bound to a buffer that is too small or not device memory",
                    group, (unsigned long long)needed);
            error = ENGINE_ERR(AXCL_ERR_ID_ILLEGAL_PARAM);
            goto done;
        }
        bytes += needed;
    }
    if (buffers == NULL) {
        error = ENGINE_ERR(AXCL_ERR_ID_NO_MEMORY);
        goto done;
    }
    g_sim.executes++;
    if ((error = injected_fault(device)) != AXCL_SUCC) goto done;
    double started = sim_now();
    error = sim_run_model(model, group, buffers);
    if (g_sim.config.bandwidthBytesPerSecond > 0 || g_sim.config.executeFixedMicroseconds > 0) {
        // Timing model: fixed cost per call plus weights and IO streamed at the card's bandwidth
        // (axera.md §4, §6); the simulated time replaces the host's compute time when longer.
        double modeled = g_sim.config.executeFixedMicroseconds * 1e-6 +
                         (g_sim.config.bandwidthBytesPerSecond > 0 ? (double)bytes / g_sim.config.bandwidthBytesPerSecond : 0);
        seconds = modeled - (sim_now() - started);
    }
    sim_note_busy(device, sim_now() - started + (seconds > 0 ? seconds : 0));
done:
    sim_unlock();
    free(buffers);
    sim_sleep_seconds(seconds);
    return error;
}

// MARK: Streams: executes are synchronous; an async error is reported by the synchronize.

typedef struct sim_stream {
    axclError pending;
} sim_stream;

SIM_EXPORT axclError axclrtCreateStream(axclrtStream *stream) {
    if (stream == NULL) return AXCL_RT_ERR(AXCL_SUB_STREAM, AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_device *device = NULL;
    axclError error = sim_require_context(&device);
    sim_unlock();
    if (error != AXCL_SUCC) return error;
    *stream = calloc(1, sizeof(sim_stream));
    return *stream ? AXCL_SUCC : AXCL_ERR_STREAM_CREATE;
}

SIM_EXPORT axclError axclrtDestroyStream(axclrtStream stream) {
    if (stream == NULL) return AXCL_ERR_STREAM_DESTROY;
    free(stream);
    return AXCL_SUCC;
}

SIM_EXPORT axclError axclrtSynchronizeStream(axclrtStream stream) {
    if (stream == NULL) return AXCL_SUCC; // the context's default stream
    axclError error = ((sim_stream *)stream)->pending;
    ((sim_stream *)stream)->pending = AXCL_SUCC;
    return error;
}

SIM_EXPORT axclError axclrtSynchronizeStreamWithTimeout(axclrtStream stream, int32_t timeout) {
    (void)timeout;
    return axclrtSynchronizeStream(stream);
}

SIM_EXPORT axclError axclrtEngineExecuteAsync(uint64_t modelId, uint64_t contextId, uint32_t group, axclrtEngineIO io,
                                              axclrtStream stream) {
    axclError error = axclrtEngineExecute(modelId, contextId, group, io);
    if (stream == NULL) return error;
    if (((sim_stream *)stream)->pending == AXCL_SUCC) ((sim_stream *)stream)->pending = error;
    return AXCL_SUCC; // success of the submission is not completion (axera.md §1.7)
}
