// Process-wide simulator state, configuration from the environment, axclInit/axclFinalize and
// the version entry points.
#include "sim_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

sim_state g_sim = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .hangReleased = PTHREAD_COND_INITIALIZER,
};

static bool g_configLoaded = false;

static void ensure_config(void);

// Every entry point takes the lock through here, so the environment is read before first use.
void sim_lock(void) {
    pthread_mutex_lock(&g_sim.lock);
    ensure_config();
}
void sim_unlock(void) { pthread_mutex_unlock(&g_sim.lock); }

double sim_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void sim_wait_for_hang_release(void) {
    uint64_t generation = g_sim.hangGeneration;
    while (generation == g_sim.hangGeneration) pthread_cond_wait(&g_sim.hangReleased, &g_sim.lock);
}

void sim_sleep_seconds(double seconds) {
    if (seconds <= 0) return;
    struct timespec ts = {.tv_sec = (time_t)seconds, .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static double env_double(const char *name, double fallback) {
    const char *text = getenv(name);
    if (text == NULL || *text == 0) return fallback;
    char *end = NULL;
    double value = strtod(text, &end);
    return (end != NULL && *end == 0) ? value : fallback;
}

void sim_load_config_from_environment(sim_config *config) {
    config->deviceCount = (uint32_t)env_double("AXSIM_DEVICE_COUNT", 1);
    if (config->deviceCount > SIM_MAX_DEVICES) config->deviceCount = SIM_MAX_DEVICES;
    // Device ids are list entries, not indices (axera.md §1.4); starting at 129 (the PCIe bus
    // number style of early SDKs) makes a caller that passes an index fail visibly.
    config->firstDeviceId = (int32_t)env_double("AXSIM_FIRST_DEVICE_ID", 129);
    // 7040 MiB is the CMM pool of an 8 GB LLM-8850 (axera.md §1.9, §5).
    config->cmmBudgetBytes = (uint64_t)env_double("AXSIM_CMM_MIB", 7040) << 20;
    const char *temperature = getenv("AXSIM_TEMPERATURE_MC");
    config->temperatureOverride = (temperature && *temperature) ? (int32_t)atol(temperature) : INT32_MIN;
    config->temperatureRamp = (int32_t)env_double("AXSIM_TEMPERATURE_RAMP_MC_PER_S", 0);
    config->cpuLoadOverride = (int32_t)env_double("AXSIM_CPU_LOADING", -1);
    config->npuLoadOverride = (int32_t)env_double("AXSIM_NPU_LOADING", -1);
    config->deviceListEmptySeconds = env_double("AXSIM_DEVICE_LIST_EMPTY_SECONDS", 0);
    config->rebootSeconds = env_double("AXSIM_REBOOT_SECONDS", 0);
    config->offlineSurvivesReboot = env_double("AXSIM_OFFLINE_SURVIVES_REBOOT", 0) != 0;
    // Timing defaults are the measured per-call cost and weight-streaming bandwidth (axera.md §4, §6).
    bool timing = env_double("AXSIM_TIMING", 0) != 0;
    config->executeFixedMicroseconds = env_double("AXSIM_EXECUTE_FIXED_US", timing ? 460 : 0);
    config->bandwidthBytesPerSecond = env_double("AXSIM_BANDWIDTH_GBPS", timing ? 25 : 0) * 1e9;
    config->loadBandwidthBytesPerSecond = env_double("AXSIM_LOAD_BANDWIDTH_GBPS", timing ? 0.5 : 0) * 1e9;
    // Fresh CMM is not zeroed on the card; 0xFF (bf16 NaN) makes a missing memset visible the
    // way garbage would poison softmax on hardware (axera.md §7.5).
    config->mallocFill = (int)env_double("AXSIM_MALLOC_FILL", 0xFF);
}

static void load_faults_from_environment(void) {
    int64_t offline = (int64_t)env_double("AXSIM_OFFLINE_AFTER_EXECUTES", 0);
    int64_t error = (int64_t)env_double("AXSIM_EXECUTE_ERROR_AT", 0);
    int64_t hang = (int64_t)env_double("AXSIM_HANG_AT_EXECUTE", 0);
    int64_t exhausted = (int64_t)env_double("AXSIM_CMM_EXHAUSTED_AT_LOAD", 0);
    int64_t hangLoad = (int64_t)env_double("AXSIM_HANG_AT_LOAD", 0);
    g_sim.offlineAfterExecute = offline > 0 ? g_sim.executes + (uint64_t)offline : 0;
    g_sim.offlineStruck = false;
    g_sim.errorAtExecute = error > 0 ? g_sim.executes + (uint64_t)error : 0;
    g_sim.hangAtExecute = hang > 0 ? g_sim.executes + (uint64_t)hang : 0;
    g_sim.exhaustedAtLoad = exhausted > 0 ? g_sim.loads + (uint64_t)exhausted : 0;
    g_sim.hangAtLoad = hangLoad > 0 ? g_sim.loads + (uint64_t)hangLoad : 0;
    sim_load_call_hang_from_environment();
}

// Called with the lock held.
static void ensure_config(void) {
    if (g_configLoaded) return;
    g_configLoaded = true;
    sim_load_config_from_environment(&g_sim.config);
    load_faults_from_environment();
    sim_apply_device_population();
}

void sim_apply_device_population(void) {
    for (uint32_t i = 0; i < SIM_MAX_DEVICES; i++) {
        sim_device *device = &g_sim.devices[i];
        if (device->refCount > 0 || device->cmmUsed > 0) continue; // keep devices in use
        memset(device, 0, sizeof *device);
        device->id = g_sim.config.firstDeviceId + (int32_t)i;
        device->busySince = sim_now();
    }
    g_sim.deviceCount = g_sim.config.deviceCount;
}

SIM_EXPORT axclError axclInit(const char *config) {
    (void)config; // the JSON only configures logging and DMA staging (axera.md §1.1)
    sim_lock();
    if (g_sim.initialized) {
        sim_unlock();
        // Once per process (axera.md §1.3); the vendor code for a repeat is not documented.
        return AXCL_RT_ERR(AXCL_SUB_CONFIG, AXCL_ERR_ID_BUSY);
    }
    g_sim.initialized = true;
    g_sim.initTime = sim_now();
    g_sim.listEmptyUntil = g_sim.initTime + g_sim.config.deviceListEmptySeconds;
    sim_report_initialized();
    sim_unlock();
    return AXCL_SUCC;
}

SIM_EXPORT axclError axclFinalize(void) {
    sim_lock();
    if (!g_sim.initialized) {
        sim_unlock();
        return AXCL_RT_ERR(AXCL_SUB_CONFIG, AXCL_ERR_ID_FAIL);
    }
    g_sim.initialized = false;
    sim_report_finalized();
    sim_unlock();
    return AXCL_SUCC;
}

SIM_EXPORT axclError axclSetLogLevel(int32_t level) {
    return (level < 0 || level > 6) ? AXCL_RT_ERR(AXCL_SUB_SYSLOG, AXCL_ERR_ID_ILLEGAL_PARAM) : AXCL_SUCC;
}

SIM_EXPORT axclError axclrtGetVersion(int32_t *major, int32_t *minor, int32_t *patch) {
    if (major == NULL || minor == NULL || patch == NULL) return AXCL_RT_ERR(AXCL_SUB_DEVICE, AXCL_ERR_ID_NULL_POINTER);
    // The symbol set simulated is that of V3.10.2 (axera.md §7.2).
    *major = 3;
    *minor = 10;
    *patch = 2;
    return AXCL_SUCC;
}

SIM_EXPORT const char *axclrtGetFullVersion(void) { return "V3.10.2_axsim"; }
SIM_EXPORT const char *axclrtGetSocName(void) { return "AX650N"; }

// MARK: Control API

SIM_EXPORT void axsim_reset(void) {
    sim_clear_device_status_callback();
    sim_lock();
    for (uint32_t i = 0; i < SIM_MAX_DEVICES; i++) sim_release_device_resources(g_sim.devices[i].id, false);
    while (g_sim.contexts) {
        sim_context *context = g_sim.contexts;
        g_sim.contexts = context->next;
        free(context);
    }
    while (g_sim.hostBlocks) {
        sim_host_block *block = g_sim.hostBlocks;
        g_sim.hostBlocks = block->next;
        free(block->pointer);
        free(block);
    }
    while (g_sim.ioInfos) {
        sim_io_info *info = g_sim.ioInfos;
        g_sim.ioInfos = info->next;
        sim_free_io_description(&info->io);
        free(info);
    }
    while (g_sim.ios) {
        sim_io *io = g_sim.ios;
        g_sim.ios = io->next;
        free(io->names);
        free(io->bindings);
        free(io);
    }
    memset(g_sim.devices, 0, sizeof g_sim.devices);
    g_sim.initialized = false;
    g_sim.executes = 0;
    g_sim.loads = 0;
    g_sim.leakedAtReset = 0;
    g_sim.staleContextCount = 0;
    g_sim.hangGeneration++;
    pthread_cond_broadcast(&g_sim.hangReleased);
    sim_load_config_from_environment(&g_sim.config);
    load_faults_from_environment();
    sim_apply_device_population();
    sim_unlock();
}

SIM_EXPORT void axsim_get_stats(axsim_stats *stats) {
    if (stats == NULL) return;
    memset(stats, 0, sizeof *stats);
    sim_lock();
    for (size_t i = 0; i < g_sim.allocationCount; i++) stats->deviceBytes += g_sim.allocations[i].size;
    stats->deviceAllocations = (uint32_t)g_sim.allocationCount;
    for (sim_host_block *b = g_sim.hostBlocks; b; b = b->next) stats->hostAllocations++;
    for (sim_context *c = g_sim.contexts; c; c = c->next) stats->contexts++;
    for (sim_model *m = g_sim.models; m; m = m->next) stats->models++;
    for (sim_io_info *i = g_sim.ioInfos; i; i = i->next) stats->ioInfos++;
    for (sim_io *i = g_sim.ios; i; i = i->next) stats->ios++;
    for (uint32_t i = 0; i < g_sim.deviceCount; i++)
        if (g_sim.devices[i].refCount > 0) stats->activeDevices++;
    stats->leakedAtReset = g_sim.leakedAtReset;
    stats->executes = g_sim.executes;
    stats->cmmUsedBytes = g_sim.devices[0].cmmUsed;
    sim_unlock();
}

SIM_EXPORT void axsim_get_device_stats(int32_t deviceId, axsim_device_stats *stats) {
    if (stats == NULL) return;
    memset(stats, 0, sizeof *stats);
    sim_lock();
    for (size_t i = 0; i < g_sim.allocationCount; i++)
        if (g_sim.allocations[i].deviceId == deviceId) stats->deviceAllocations++;
    for (sim_model *m = g_sim.models; m; m = m->next)
        if (m->deviceId == deviceId) stats->models++;
    sim_device *device = sim_find_device(deviceId);
    if (device) stats->cmmUsedBytes = device->cmmUsed;
    sim_unlock();
}

SIM_EXPORT void axsim_set_device_count(uint32_t count) {
    sim_lock();
    g_sim.config.deviceCount = count > SIM_MAX_DEVICES ? SIM_MAX_DEVICES : count;
    sim_apply_device_population();
    sim_unlock();
}

SIM_EXPORT void axsim_set_cmm_budget_mib(uint32_t mebibytes) {
    sim_lock();
    g_sim.config.cmmBudgetBytes = (uint64_t)mebibytes << 20;
    sim_unlock();
}

SIM_EXPORT void axsim_set_temperature(int32_t milliCelsius) {
    sim_lock();
    g_sim.config.temperatureOverride = milliCelsius;
    sim_unlock();
}

SIM_EXPORT void axsim_set_temperature_ramp(int32_t milliCelsiusPerSecond) {
    sim_lock();
    g_sim.config.temperatureRamp = milliCelsiusPerSecond;
    sim_unlock();
}

SIM_EXPORT void axsim_set_loads(int32_t cpuLoading, int32_t npuLoading) {
    sim_lock();
    g_sim.config.cpuLoadOverride = cpuLoading;
    g_sim.config.npuLoadOverride = npuLoading;
    sim_unlock();
}

SIM_EXPORT void axsim_set_offline_after_executes(int64_t executes) {
    sim_lock();
    g_sim.offlineAfterExecute = executes > 0 ? g_sim.executes + (uint64_t)executes : 0;
    g_sim.offlineStruck = false;
    sim_unlock();
}

SIM_EXPORT void axsim_set_execute_error_at(int64_t execute) {
    sim_lock();
    g_sim.errorAtExecute = execute > 0 ? g_sim.executes + (uint64_t)execute : 0;
    sim_unlock();
}

SIM_EXPORT void axsim_set_hang_at_execute(int64_t execute) {
    sim_lock();
    g_sim.hangAtExecute = execute > 0 ? g_sim.executes + (uint64_t)execute : 0;
    sim_unlock();
}

SIM_EXPORT void axsim_set_hang_at_load(int64_t load) {
    sim_lock();
    g_sim.hangAtLoad = load > 0 ? g_sim.loads + (uint64_t)load : 0;
    sim_unlock();
}

SIM_EXPORT void axsim_release_hangs(void) {
    sim_lock();
    g_sim.hangGeneration++;
    pthread_cond_broadcast(&g_sim.hangReleased);
    sim_unlock();
}

SIM_EXPORT void axsim_set_cmm_exhausted_at_load(int64_t load) {
    sim_lock();
    g_sim.exhaustedAtLoad = load > 0 ? g_sim.loads + (uint64_t)load : 0;
    sim_unlock();
}

SIM_EXPORT void axsim_set_device_list_empty_seconds(double seconds) {
    sim_lock();
    // Measured from axclInit, or from now when the runtime is already initialised.
    g_sim.config.deviceListEmptySeconds = seconds;
    if (g_sim.initialized) g_sim.listEmptyUntil = sim_now() + seconds;
    sim_unlock();
}

SIM_EXPORT void axsim_set_reboot_seconds(double seconds) {
    sim_lock();
    g_sim.config.rebootSeconds = seconds;
    sim_unlock();
}

SIM_EXPORT void axsim_set_offline_survives_reboot(int32_t survives) {
    sim_lock();
    g_sim.config.offlineSurvivesReboot = survives != 0;
    sim_unlock();
}

SIM_EXPORT void axsim_set_device_offline(int32_t deviceId) {
    sim_lock();
    sim_device *device = sim_find_device(deviceId);
    if (device) sim_mark_device_offline(device);
    sim_unlock();
}

SIM_EXPORT void axsim_set_timing(double fixedMicroseconds, double bandwidthGBps) {
    sim_lock();
    g_sim.config.executeFixedMicroseconds = fixedMicroseconds;
    g_sim.config.bandwidthBytesPerSecond = bandwidthGBps * 1e9;
    sim_unlock();
}
