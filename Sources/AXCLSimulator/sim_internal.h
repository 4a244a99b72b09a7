// Internal state of the AXCL simulator, shared by its source files. One process-wide state
// guarded by one mutex: the real runtime serialises calls per card too, and the simulator's
// job is faithfulness, not throughput.
#ifndef AXSIM_INTERNAL_H
#define AXSIM_INTERNAL_H

#include "CAXCL.h"
#include "axsim_control.h"
#include "axsim_model_format.h"
#include "sim_exports.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_EXPORT __attribute__((visibility("default")))
#define SIM_MAX_DEVICES 8

typedef struct sim_context {
    struct sim_context *next;
    uint64_t serial; // threads remember their current context by serial, never by a freed pointer
    int32_t deviceId;
    uint64_t bootGeneration; // the device boot this context belongs to; stale after a reboot
    bool isDefault;
} sim_context;

typedef struct sim_device {
    int32_t id;
    int32_t refCount;
    sim_context *defaultContext;
    bool engineInitialized;
    axclrtEngineVNpuKind vnpuKind;
    bool offline;
    double rebootUntil; // monotonic seconds; absent from the device list until then
    uint64_t bootGeneration;
    uint64_t cmmUsed; // bytes: device buffers plus loaded models
    double busySince; // start of the current load-measurement window
    double busySeconds;
    double lastNpuLoad; // fraction 0...1 of the last full window
} sim_device;

typedef struct sim_allocation {
    uint64_t address;  // fake device address inside the reserved range
    uint64_t size;     // requested bytes
    uint64_t reserved; // page-rounded bytes charged to the CMM budget
    int32_t deviceId;
    uint8_t *storage;  // host memory standing in for the card's DDR
} sim_allocation;

typedef struct sim_host_block {
    struct sim_host_block *next;
    void *pointer;
    size_t size;
} sim_host_block;

// Description of one IO tensor: names and data types are group-invariant (axera.md §6).
typedef struct sim_io_description {
    uint32_t inputCount, outputCount, groupCount;
    axsim_io_entry *entries;  // inputs then outputs
    axsim_io_shape *shapes;   // [group][input..., output...]
} sim_io_description;

typedef struct sim_tensor {
    const char *name;
    uint32_t dataType; // FP32, BF16, FP16 or an axsim_tensor_type
    uint32_t rows, cols;
    size_t rowBytes;
    const void *data;
} sim_tensor;

typedef struct sim_model {
    struct sim_model *next;
    uint64_t id;
    int32_t deviceId;
    uint64_t bootGeneration;
    axsim_model_header header;
    sim_io_description io;
    sim_tensor *tensors;
    uint32_t tensorCount;
    void *mapping; // the mmapped file: weights live here ("loaded into CMM")
    size_t mappingBytes;
    uint64_t cmmBytes;
    uint64_t nextContextId;
    uint64_t weightBytes;
    char compilerVersion[32];
} sim_model;

typedef struct sim_io_info {
    struct sim_io_info *next;
    sim_io_description io; // owned copy, so that it outlives an unload
} sim_io_info;

typedef struct sim_binding {
    uint64_t address;
    uint64_t size;
} sim_binding;

typedef struct sim_io {
    struct sim_io *next;
    uint32_t inputCount, outputCount;
    char (*names)[AXSIM_NAME_BYTES]; // inputs then outputs
    sim_binding *bindings;           // inputs then outputs
    uint32_t batchSize;
} sim_io;

typedef struct sim_config {
    uint32_t deviceCount;
    int32_t firstDeviceId;
    uint64_t cmmBudgetBytes;
    int32_t temperatureOverride; // INT32_MIN = simulated
    int32_t temperatureRamp;     // milli-degC per second since axclInit
    int32_t cpuLoadOverride, npuLoadOverride; // -1 = simulated
    double deviceListEmptySeconds;
    double rebootSeconds;
    bool offlineSurvivesReboot;         // the injected drop comes back after a reboot (a card that never heals)
    double executeFixedMicroseconds;
    double bandwidthBytesPerSecond;     // 0 = timing model off
    double loadBandwidthBytesPerSecond; // 0 = instant loads
    int mallocFill;                     // byte pattern for fresh device memory, -1 = leave zero
} sim_config;

typedef struct sim_state {
    pthread_mutex_t lock;
    pthread_cond_t hangReleased;
    bool initialized;
    double initTime;
    double listEmptyUntil; // the enumeration race after boot (axera.md §5)
    sim_config config;
    sim_device devices[SIM_MAX_DEVICES];
    uint32_t deviceCount;

    sim_context *contexts;
    uint64_t nextContextSerial;
    uint64_t staleContexts[64]; // serials of contexts a reboot invalidated (a ring)
    uint32_t staleContextCount;
    sim_allocation *allocations; // sorted by address
    size_t allocationCount, allocationCapacity;
    sim_host_block *hostBlocks;
    sim_model *models;
    uint64_t nextModelId;
    sim_io_info *ioInfos;
    sim_io *ios;

    uint64_t executes, loads;
    uint32_t leakedAtReset;
    // Faults, as absolute counts of executes/loads (0 = off).
    uint64_t offlineAfterExecute, errorAtExecute, hangAtExecute, exhaustedAtLoad, hangAtLoad;
    // The card the offline fault struck, once it has (`offlineStruck`): with several cards the
    // fault is that one card's, so the others keep running while it is down or, surviving
    // reboots, never heals.
    int32_t offlineDeviceId;
    bool offlineStruck;
    uint64_t hangGeneration;
    // The named call that hangs (AXSIM_HANG_AT_CALL): its calls seen since it was armed, and
    // which of them blocks (0 = off).
    char hangCallSymbol[64];
    uint64_t hangCallSeen, hangCallAt;

    uint8_t *addressBase; // PROT_NONE reservation: fake device addresses are never dereferenceable
    uint64_t addressSpan, nextAddressOffset;
} sim_state;

extern sim_state g_sim;

// Locking and time.
void sim_lock(void);
void sim_unlock(void);
double sim_now(void);
void sim_sleep_seconds(double seconds);
// Blocks an injected hang, with the lock held (released while waiting), until axsim_release_hangs or axsim_reset.
void sim_wait_for_hang_release(void);
// At the entry of a runtime call that can be made to hang (sim_call_hang.c): takes the lock,
// blocks if this is the armed call, and returns with the lock released.
void sim_hang_if_injected(const char *symbol);
void sim_load_call_hang_from_environment(void);

// Configuration and lifecycle (sim_state.c).
void sim_load_config_from_environment(sim_config *config);
void sim_apply_device_population(void);
void sim_release_device_resources(int32_t deviceId, bool countLeaks);

// Devices and contexts (sim_device.c). Return a device for a thread's current context or an error.
sim_device *sim_find_device(int32_t deviceId);
bool sim_device_present(const sim_device *device);
axclError sim_require_context(sim_device **device);
axclError sim_device_health_error(const sim_device *device);
void sim_note_busy(sim_device *device, double seconds);

// Memory (sim_memory.c).
sim_allocation *sim_find_allocation(uint64_t address, uint64_t count, uint64_t *offset);
uint8_t *sim_device_bytes(uint64_t address, uint64_t count);
void sim_free_allocation_at(size_t index);

// Models (sim_model_file.c, sim_engine.c, sim_layer_math.c).
axclError sim_parse_model(const char *path, sim_model *model);
void sim_release_model_mapping(sim_model *model);
const sim_tensor *sim_model_tensor(const sim_model *model, const char *name);
// Fixed telemetry now in force: AXSIM_TELEMETRY_FILE's values where it has them, the
// configuration's otherwise (sim_telemetry_file.c). INT32_MIN / -1 mean simulated.
typedef struct sim_telemetry {
    int32_t temperature; // milli-degC
    int32_t cpuLoading, npuLoading; // percent x 100
} sim_telemetry;
sim_telemetry sim_current_telemetry(void);

// AXSIM_REPORT_FILE (sim_report.c): count a successful axclInit; count a successful
// axclFinalize and write the report.
void sim_report_initialized(void);
void sim_report_finalized(void);

// Device status callbacks (sim_status_callback.c). Marking a device offline reports it once;
// a report is delivered on its own thread after `delaySeconds`.
void sim_mark_device_offline(sim_device *device);
void sim_report_device_status(int32_t deviceId, axclrtDeviceStatus status, double delaySeconds);
void sim_clear_device_status_callback(void);
// FP32, BF16 or FP16: the types a vector tensor (norm weight, bias) may have.
bool sim_tensor_is_float(uint32_t dataType);
axclError sim_validate_model(const sim_model *model);
void sim_copy_io_description(sim_io_description *dst, const sim_io_description *src);
void sim_free_io_description(sim_io_description *io);
int32_t sim_io_index(const sim_io_description *io, bool input, const char *name);
uint64_t sim_io_shape_bytes(const sim_io_description *io, uint32_t group, uint32_t slot);
void sim_unload_model(sim_model *model);

// Executes `group` of `model` with IO buffers already resolved to host storage (slot order:
// inputs then outputs, as in the model's IO table).
axclError sim_run_model(const sim_model *model, uint32_t group, uint8_t *const *buffers);

// bf16 conversions: bf16 -> f32 is exact; f32 -> bf16 rounds to nearest even.
static inline float sim_bf16_to_f32(uint16_t value) {
    union { uint32_t u; float f; } bits = {.u = (uint32_t)value << 16};
    return bits.f;
}
static inline uint16_t sim_f32_to_bf16(float value) {
    union { uint32_t u; float f; } bits = {.f = value};
    if ((bits.u & 0x7F800000u) == 0x7F800000u && (bits.u & 0x007FFFFFu) != 0) return 0x7FC0; // NaN
    uint32_t rounding = 0x7FFFu + ((bits.u >> 16) & 1u);
    return (uint16_t)((bits.u + rounding) >> 16);
}

// One element of an IO buffer whose data type is BF16, FP16 or FP32 (the float IO types a
// simulated model may declare): read as f32, or written rounded to nearest even.
static inline float sim_io_load(const void *base, size_t index, uint32_t dataType) {
    switch (dataType) {
    case AXCL_DATA_TYPE_FP32: return ((const float *)base)[index];
    case AXCL_DATA_TYPE_FP16: return (float)((const _Float16 *)base)[index];
    default: return sim_bf16_to_f32(((const uint16_t *)base)[index]);
    }
}
static inline void sim_io_store(void *base, size_t index, uint32_t dataType, float value) {
    switch (dataType) {
    case AXCL_DATA_TYPE_FP32: ((float *)base)[index] = value; break;
    case AXCL_DATA_TYPE_FP16: ((_Float16 *)base)[index] = (_Float16)value; break;
    default: ((uint16_t *)base)[index] = sim_f32_to_bf16(value); break;
    }
}
// A value after a round trip through `dataType`'s precision.
static inline float sim_io_round(float value, uint32_t dataType) {
    switch (dataType) {
    case AXCL_DATA_TYPE_FP32: return value;
    case AXCL_DATA_TYPE_FP16: return (float)(_Float16)value;
    default: return sim_bf16_to_f32(sim_f32_to_bf16(value));
    }
}

#endif
