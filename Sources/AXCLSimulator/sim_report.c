// AXSIM_REPORT_FILE: a JSON summary of what is still alive in the simulated runtime, written when
// the process calls axclFinalize and again when it exits (or unloads the library), so that a test
// outside the process can tell an orderly release from a leak. The file is replaced atomically;
// the exit report is the last word. Fields: "event" ("finalize" or "exit"), "inits" and
// "finalizes" (successful axclInit / axclFinalize calls), "initialized", the live "contexts",
// "active_devices" (positive SetDevice count), "engines_initialized", "models", "io_infos",
// "ios", "device_allocations", "device_bytes", "host_allocations", "leaked_at_reset" (objects
// still alive when a device's count reached 0, i.e. freed by the reset rather than by the
// caller), "executes", and "devices": per device its id, SetDevice count, engine state and CMM in use.
#include "sim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t g_inits = 0, g_finalizes = 0;

static void write_report(const char *event) {
    const char *path = getenv("AXSIM_REPORT_FILE");
    if (path == NULL || *path == 0) return;
    char temporary[4096];
    if (snprintf(temporary, sizeof temporary, "%s.tmp", path) >= (int)sizeof temporary) return;
    FILE *file = fopen(temporary, "w");
    if (file == NULL) return;

    uint32_t contexts = 0, models = 0, ioInfos = 0, ios = 0, hostAllocations = 0, active = 0, engines = 0;
    uint64_t deviceBytes = 0;
    for (sim_context *c = g_sim.contexts; c; c = c->next) contexts++;
    for (sim_model *m = g_sim.models; m; m = m->next) models++;
    for (sim_io_info *i = g_sim.ioInfos; i; i = i->next) ioInfos++;
    for (sim_io *i = g_sim.ios; i; i = i->next) ios++;
    for (sim_host_block *b = g_sim.hostBlocks; b; b = b->next) hostAllocations++;
    for (size_t i = 0; i < g_sim.allocationCount; i++) deviceBytes += g_sim.allocations[i].size;
    for (uint32_t i = 0; i < g_sim.deviceCount; i++) {
        if (g_sim.devices[i].refCount > 0) active++;
        if (g_sim.devices[i].engineInitialized) engines++;
    }

    fprintf(file, "{\"event\":\"%s\",\"inits\":%u,\"finalizes\":%u,\"initialized\":%s,", event, g_inits, g_finalizes,
            g_sim.initialized ? "true" : "false");
    fprintf(file, "\"contexts\":%u,\"active_devices\":%u,\"engines_initialized\":%u,\"models\":%u,\"io_infos\":%u,\"ios\":%u,",
            contexts, active, engines, models, ioInfos, ios);
    fprintf(file, "\"device_allocations\":%zu,\"device_bytes\":%llu,\"host_allocations\":%u,\"leaked_at_reset\":%u,\"executes\":%llu,",
            g_sim.allocationCount, (unsigned long long)deviceBytes, hostAllocations, g_sim.leakedAtReset,
            (unsigned long long)g_sim.executes);
    fprintf(file, "\"devices\":[");
    for (uint32_t i = 0; i < g_sim.deviceCount; i++) {
        const sim_device *device = &g_sim.devices[i];
        fprintf(file, "%s{\"id\":%d,\"set_device_count\":%d,\"engine_initialized\":%s,\"cmm_used_bytes\":%llu}", i ? "," : "",
                device->id, device->refCount, device->engineInitialized ? "true" : "false", (unsigned long long)device->cmmUsed);
    }
    fprintf(file, "]}\n");
    bool written = fflush(file) == 0;
    fclose(file);
    if (written) rename(temporary, path);
    else remove(temporary);
}

// Called with the lock held.
void sim_report_initialized(void) { g_inits++; }

// Called with the lock held.
void sim_report_finalized(void) {
    g_finalizes++;
    write_report("finalize");
}

// The last word, at exit() or when the library is unloaded.
__attribute__((destructor)) static void report_at_exit(void) {
    if (getenv("AXSIM_REPORT_FILE") == NULL) return;
    sim_lock();
    write_report("exit");
    sim_unlock();
}
