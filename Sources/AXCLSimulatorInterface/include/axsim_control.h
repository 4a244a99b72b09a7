// Control API of the AXCL simulator: extra exported symbols (prefix axsim_) that tests and tools
// use to inspect and steer the simulated card. They exist only in the simulator, so callers
// resolve them with dlsym through the PFN_ types below. Every setting here also has an
// environment variable, read by axclInit and by axsim_reset (see docs/simulated-axmodel.md).
#ifndef AXLLAMA_AXSIM_CONTROL_H
#define AXLLAMA_AXSIM_CONTROL_H

#include <stdint.h>

// A snapshot of what is alive in the simulated runtime, for leak checks.
typedef struct axsim_stats {
    uint32_t deviceAllocations;   // live axclrtMalloc blocks
    uint32_t hostAllocations;     // live axclrtMallocHost blocks
    uint64_t deviceBytes;         // bytes of live device blocks
    uint32_t contexts;            // live contexts, default ones included
    uint32_t models;              // loaded models
    uint32_t ioInfos;             // IO info objects not yet destroyed
    uint32_t ios;                 // IO objects not yet destroyed
    uint32_t activeDevices;       // devices with a positive SetDevice count
    uint32_t leakedAtReset;       // objects that were still alive when a device's count reached 0
    uint64_t executes;            // executes attempted since the last reset
    uint64_t cmmUsedBytes;        // CMM in use on the first device (models + buffers)
} axsim_stats;

// What one device holds, to check where a model's parts were placed.
typedef struct axsim_device_stats {
    uint32_t models;              // models loaded on the device
    uint32_t deviceAllocations;   // live axclrtMalloc blocks on the device
    uint64_t cmmUsedBytes;        // CMM in use on the device (models + buffers)
} axsim_device_stats;

// Restores a freshly started process: frees everything, clears faults and re-reads the environment.
void axsim_reset(void);
void axsim_get_stats(axsim_stats *stats);
// Zeros for an id that is not a simulated device.
void axsim_get_device_stats(int32_t deviceId, axsim_device_stats *stats);

// Device population and resources.
void axsim_set_device_count(uint32_t count);
void axsim_set_cmm_budget_mib(uint32_t mebibytes);

// Telemetry: a fixed temperature (INT32_MIN returns to the simulated one), a ramp added per
// second since axclInit, and fixed loads in percent x 100 (-1 returns to the simulated ones).
void axsim_set_temperature(int32_t milliCelsius);
void axsim_set_temperature_ramp(int32_t milliCelsiusPerSecond);
void axsim_set_loads(int32_t cpuLoading, int32_t npuLoading);

// Faults. Counts are 1-based and relative to the moment of the call; a value <= 0 disables.
void axsim_set_offline_after_executes(int64_t executes);
void axsim_set_execute_error_at(int64_t execute);
void axsim_set_hang_at_execute(int64_t execute);
// The Kth model load (axclrtEngineLoadFromFile) blocks; once released it completes.
void axsim_set_hang_at_load(int64_t load);
// The Kth call from now of the runtime function named `symbol` (one of a load's calls listed in
// docs/simulated-axmodel.md) blocks; once released it goes on. Returns 0, or -1 for a name that
// cannot hang (the fault is then off); a NULL name or K <= 0 turns it off.
int32_t axsim_set_hang_at_call(const char *symbol, int64_t call);
// Lets every blocked execute, load and call go on.
void axsim_release_hangs(void);
void axsim_set_cmm_exhausted_at_load(int64_t load);
void axsim_set_device_list_empty_seconds(double seconds);
void axsim_set_reboot_seconds(double seconds);
void axsim_set_device_offline(int32_t deviceId);
// Non-zero: the "offline after N executes" drop survives axclrtRebootDevice (by default a reboot
// clears it, as a reboot heals a card that fell off the bus).
void axsim_set_offline_survives_reboot(int32_t survives);

// Timing model: each execute sleeps fixedMicroseconds + bytes / bandwidth. Zeros disable it.
void axsim_set_timing(double fixedMicroseconds, double bandwidthGBps);

typedef void (*PFN_axsim_reset)(void);
typedef void (*PFN_axsim_get_stats)(axsim_stats *stats);
typedef void (*PFN_axsim_get_device_stats)(int32_t deviceId, axsim_device_stats *stats);
typedef void (*PFN_axsim_set_device_count)(uint32_t count);
typedef void (*PFN_axsim_set_cmm_budget_mib)(uint32_t mebibytes);
typedef void (*PFN_axsim_set_temperature)(int32_t milliCelsius);
typedef void (*PFN_axsim_set_temperature_ramp)(int32_t milliCelsiusPerSecond);
typedef void (*PFN_axsim_set_loads)(int32_t cpuLoading, int32_t npuLoading);
typedef void (*PFN_axsim_set_offline_after_executes)(int64_t executes);
typedef void (*PFN_axsim_set_execute_error_at)(int64_t execute);
typedef void (*PFN_axsim_set_hang_at_execute)(int64_t execute);
typedef void (*PFN_axsim_set_hang_at_load)(int64_t load);
typedef int32_t (*PFN_axsim_set_hang_at_call)(const char *symbol, int64_t call);
typedef void (*PFN_axsim_release_hangs)(void);
typedef void (*PFN_axsim_set_cmm_exhausted_at_load)(int64_t load);
typedef void (*PFN_axsim_set_device_list_empty_seconds)(double seconds);
typedef void (*PFN_axsim_set_reboot_seconds)(double seconds);
typedef void (*PFN_axsim_set_device_offline)(int32_t deviceId);
typedef void (*PFN_axsim_set_offline_survives_reboot)(int32_t survives);
typedef void (*PFN_axsim_set_timing)(double fixedMicroseconds, double bandwidthGBps);

#endif
