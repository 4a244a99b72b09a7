// Our own declarations of the AXCL runtime types (V3.10.2), written from the public API
// documentation summarised in reference axera.md §1.2-§1.7. Layouts must match the vendor's
// exactly because both the real runtime and the simulator read these structs.
#ifndef AXLLAMA_AXCL_TYPES_H
#define AXLLAMA_AXCL_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef int32_t axclError;
typedef void *axclrtContext;
typedef void *axclrtStream;
typedef void *axclrtEvent;

#define AXCL_NO_TIMEOUT (-1)
#define AXCL_MAX_DEVICE_COUNT 256 // (axera.md §1.2)

typedef struct axclrtDeviceList {
    uint32_t num;
    int32_t devices[AXCL_MAX_DEVICE_COUNT];
} axclrtDeviceList; // 1028 bytes (axera.md §1.2)

typedef struct axclrtDeviceProperties {
    char swVersion[64];
    uint64_t uid;
    uint32_t pciDomain;
    uint32_t pciBusID;
    uint32_t pciDeviceID;
    int32_t temperature;   // Tj in milli-degrees Celsius
    uint32_t totalMemSize; // KB, the card's Linux RAM
    uint32_t freeMemSize;  // KB
    uint32_t totalCmmSize; // KB, the CMM pool that holds models and device buffers
    uint32_t freeCmmSize;  // KB
    uint32_t cpuLoading;   // percent x 100
    uint32_t npuLoading;   // percent x 100
    uint32_t reserved[32];
} axclrtDeviceProperties; // 240 bytes (axera.md §1.2)

typedef enum axclrtMemMallocPolicy {
    AXCL_MEM_MALLOC_HUGE_FIRST = 0,
    AXCL_MEM_MALLOC_HUGE_ONLY = 1,
    AXCL_MEM_MALLOC_NORMAL_ONLY = 2,
    AXCL_MEM_MALLOC_SIZE_ALIGN = 3,
} axclrtMemMallocPolicy;

typedef enum axclrtMemcpyKind {
    AXCL_MEMCPY_HOST_TO_HOST = 0,
    AXCL_MEMCPY_HOST_TO_DEVICE = 1,
    AXCL_MEMCPY_DEVICE_TO_HOST = 2,
    AXCL_MEMCPY_DEVICE_TO_DEVICE = 3,
    AXCL_MEMCPY_HOST_PHY_TO_DEVICE = 4,
    AXCL_MEMCPY_DEVICE_TO_HOST_PHY = 5,
} axclrtMemcpyKind;

typedef enum axclrtDeviceStatus {
    AXCL_DEVICE_STATUS_ONLINE = 0,
    AXCL_DEVICE_STATUS_OFFLINE = 1,
} axclrtDeviceStatus;

typedef void (*axclrtDeviceStatusCallback)(int32_t device, axclrtDeviceStatus status, void *userdata);

// Engine types (axera.md §1.7).
typedef void *axclrtEngineIOInfo;
typedef void *axclrtEngineIO;
typedef uint32_t axclrtEngineSet;

typedef enum axclrtEngineModelKind {
    AXCL_MODEL_TYPE_1CORE = 0,
    AXCL_MODEL_TYPE_2CORE = 1,
    AXCL_MODEL_TYPE_3CORE = 2,
} axclrtEngineModelKind;

typedef enum axclrtEngineVNpuKind {
    AXCL_VNPU_DISABLE = 0,
    AXCL_VNPU_ENABLE = 1,
    AXCL_VNPU_BIG_LITTLE = 2,
    AXCL_VNPU_LITTLE_BIG = 3,
} axclrtEngineVNpuKind;

typedef enum axclrtEngineDataType {
    AXCL_DATA_TYPE_NONE = 0,
    AXCL_DATA_TYPE_INT4 = 1,
    AXCL_DATA_TYPE_UINT4 = 2,
    AXCL_DATA_TYPE_INT8 = 3,
    AXCL_DATA_TYPE_UINT8 = 4,
    AXCL_DATA_TYPE_INT16 = 5,
    AXCL_DATA_TYPE_UINT16 = 6,
    AXCL_DATA_TYPE_INT32 = 7,
    AXCL_DATA_TYPE_UINT32 = 8,
    AXCL_DATA_TYPE_INT64 = 9,
    AXCL_DATA_TYPE_UINT64 = 10,
    AXCL_DATA_TYPE_FP4 = 11,
    AXCL_DATA_TYPE_FP8 = 12,
    AXCL_DATA_TYPE_FP16 = 13,
    AXCL_DATA_TYPE_BF16 = 14,
    AXCL_DATA_TYPE_FP32 = 15,
    AXCL_DATA_TYPE_FP64 = 16,
} axclrtEngineDataType;

typedef enum axclrtEngineDataLayout {
    AXCL_DATA_LAYOUT_NONE = 0,
    AXCL_DATA_LAYOUT_NHWC = 1,
    AXCL_DATA_LAYOUT_NCHW = 2,
} axclrtEngineDataLayout;

#define AXCLRT_ENGINE_MAX_DIM_CNT 32

typedef struct axclrtEngineIODims {
    int32_t dimCount;
    int32_t dims[AXCLRT_ENGINE_MAX_DIM_CNT];
} axclrtEngineIODims; // 132 bytes, caller-owned (axera.md §1.7)

// Not in the public headers; used by axcl-smi (axera.md §1.2, internal types).
typedef struct axclrtDeviceBusInfo {
    unsigned domain, bus, slot, func;
} axclrtDeviceBusInfo;

#endif
