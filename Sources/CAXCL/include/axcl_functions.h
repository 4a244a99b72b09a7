// Function-pointer types of the AXCL runtime entry points. Nothing links against the vendor
// library: the binding resolves every symbol with dlsym into these types, and the simulator
// checks its own definitions against them. Signatures from axera.md §1.3-§1.7; the required and
// optional sets are those of axera.md §7.2.
#ifndef AXLLAMA_AXCL_FUNCTIONS_H
#define AXLLAMA_AXCL_FUNCTIONS_H

#include "axcl_types.h"

// MARK: Required (all exported by V3.10.2)

// Init / version (axera.md §1.3)
typedef axclError (*PFN_axclInit)(const char *config);
typedef axclError (*PFN_axclFinalize)(void);
typedef axclError (*PFN_axclSetLogLevel)(int32_t level);
typedef axclError (*PFN_axclrtGetVersion)(int32_t *major, int32_t *minor, int32_t *patch);
typedef const char *(*PFN_axclrtGetSocName)(void);

// Devices (axera.md §1.4)
typedef axclError (*PFN_axclrtGetDeviceList)(axclrtDeviceList *deviceList);
typedef axclError (*PFN_axclrtGetDeviceCount)(uint32_t *count);
typedef axclError (*PFN_axclrtSetDevice)(int32_t deviceId);
typedef axclError (*PFN_axclrtResetDevice)(int32_t deviceId);
typedef axclError (*PFN_axclrtGetDeviceProperties)(int32_t deviceId, axclrtDeviceProperties *properties);

// Contexts (axera.md §1.5)
typedef axclError (*PFN_axclrtCreateContext)(axclrtContext *context, int32_t deviceId);
typedef axclError (*PFN_axclrtDestroyContext)(axclrtContext context);
typedef axclError (*PFN_axclrtSetCurrentContext)(axclrtContext context);
typedef axclError (*PFN_axclrtGetCurrentContext)(axclrtContext *context);

// Memory (axera.md §1.6)
typedef axclError (*PFN_axclrtMalloc)(void **devPtr, size_t size, axclrtMemMallocPolicy policy);
typedef axclError (*PFN_axclrtFree)(void *devPtr);
typedef axclError (*PFN_axclrtMallocHost)(void **hostPtr, size_t size);
typedef axclError (*PFN_axclrtFreeHost)(void *hostPtr);
typedef axclError (*PFN_axclrtMemset)(void *devPtr, uint8_t value, size_t count);
typedef axclError (*PFN_axclrtMemcpy)(void *dst, const void *src, size_t count, axclrtMemcpyKind kind);

// Engine (axera.md §1.7)
typedef axclError (*PFN_axclrtEngineInit)(axclrtEngineVNpuKind npuKind);
typedef axclError (*PFN_axclrtEngineFinalize)(void);
typedef axclError (*PFN_axclrtEngineGetVNpuKind)(axclrtEngineVNpuKind *npuKind);
typedef axclError (*PFN_axclrtEngineLoadFromFile)(const char *modelPath, uint64_t *modelId);
typedef axclError (*PFN_axclrtEngineUnload)(uint64_t modelId);
typedef const char *(*PFN_axclrtEngineGetModelCompilerVersion)(uint64_t modelId);
typedef axclError (*PFN_axclrtEngineCreateContext)(uint64_t modelId, uint64_t *contextId);
typedef axclError (*PFN_axclrtEngineGetIOInfo)(uint64_t modelId, axclrtEngineIOInfo *ioInfo);
typedef axclError (*PFN_axclrtEngineDestroyIOInfo)(axclrtEngineIOInfo ioInfo);
typedef axclError (*PFN_axclrtEngineGetShapeGroupsCount)(axclrtEngineIOInfo ioInfo, int32_t *count);
typedef uint32_t (*PFN_axclrtEngineGetNumInputs)(axclrtEngineIOInfo ioInfo);
typedef uint32_t (*PFN_axclrtEngineGetNumOutputs)(axclrtEngineIOInfo ioInfo);
typedef const char *(*PFN_axclrtEngineGetInputNameByIndex)(axclrtEngineIOInfo ioInfo, uint32_t index);
typedef const char *(*PFN_axclrtEngineGetOutputNameByIndex)(axclrtEngineIOInfo ioInfo, uint32_t index);
typedef uint64_t (*PFN_axclrtEngineGetInputSizeByIndex)(axclrtEngineIOInfo ioInfo, uint32_t group, uint32_t index);
typedef uint64_t (*PFN_axclrtEngineGetOutputSizeByIndex)(axclrtEngineIOInfo ioInfo, uint32_t group, uint32_t index);
typedef axclError (*PFN_axclrtEngineGetInputDims)(axclrtEngineIOInfo ioInfo, uint32_t group, uint32_t index,
                                                  axclrtEngineIODims *dims);
typedef axclError (*PFN_axclrtEngineGetOutputDims)(axclrtEngineIOInfo ioInfo, uint32_t group, uint32_t index,
                                                   axclrtEngineIODims *dims);
typedef axclError (*PFN_axclrtEngineGetInputDataType)(axclrtEngineIOInfo ioInfo, uint32_t index,
                                                      axclrtEngineDataType *type);
typedef axclError (*PFN_axclrtEngineGetOutputDataType)(axclrtEngineIOInfo ioInfo, uint32_t index,
                                                       axclrtEngineDataType *type);
typedef axclError (*PFN_axclrtEngineCreateIO)(axclrtEngineIOInfo ioInfo, axclrtEngineIO *io);
typedef axclError (*PFN_axclrtEngineDestroyIO)(axclrtEngineIO io);
typedef axclError (*PFN_axclrtEngineSetInputBufferByIndex)(axclrtEngineIO io, uint32_t index, const void *devBuf,
                                                           uint64_t size);
typedef axclError (*PFN_axclrtEngineSetOutputBufferByIndex)(axclrtEngineIO io, uint32_t index, const void *devBuf,
                                                            uint64_t size);
typedef axclError (*PFN_axclrtEngineExecute)(uint64_t modelId, uint64_t contextId, uint32_t group, axclrtEngineIO io);

// MARK: Optional (probed; absent from some runtime generations, axera.md §7.2)

typedef axclError (*PFN_axclrtEngineExecuteAsync)(uint64_t modelId, uint64_t contextId, uint32_t group,
                                                  axclrtEngineIO io, axclrtStream stream);
typedef axclError (*PFN_axclrtCreateStream)(axclrtStream *stream);
typedef axclError (*PFN_axclrtDestroyStream)(axclrtStream stream);
typedef axclError (*PFN_axclrtSynchronizeStream)(axclrtStream stream);
typedef axclError (*PFN_axclrtSynchronizeStreamWithTimeout)(axclrtStream stream, int32_t timeoutMs);
typedef axclError (*PFN_axclrtEngineGetUsage)(const char *modelPath, int64_t *sysSize, int64_t *cmmSize);
typedef axclError (*PFN_axclrtEngineGetUsageFromModelId)(uint64_t modelId, int64_t *sysSize, int64_t *cmmSize);
typedef axclError (*PFN_axclrtRebootDevice)(int32_t deviceId);
typedef axclError (*PFN_axclrtRegisterDeviceStatusCallback)(axclrtDeviceStatusCallback callback, void *userdata);
typedef axclError (*PFN_axclrtControlExecuteShellCmd)(const char *cmd, const char *const args[], size_t argc,
                                                      const char **output, int32_t timeoutMs);
typedef axclError (*PFN_axclrtGetLastError)(void);
typedef const char *(*PFN_axclrtGetErrorString)(axclError error);

#endif
