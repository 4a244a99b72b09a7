// AXSIM_TELEMETRY_FILE: telemetry that a test changes while the process runs, without a control
// call (the process under test is another program, e.g. the server). The file holds lines
// `NAME=value` using the names of the telemetry variables (AXSIM_TEMPERATURE_MC,
// AXSIM_CPU_LOADING, AXSIM_NPU_LOADING); it is read again whenever it changed (inode, size or
// modification time), at every property query and device call. A name the file does not hold,
// or a missing file, leaves the configured value in force.
#include "sim_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

// What the file said when last read, and how to tell that it changed since.
static sim_telemetry g_fromFile = {.temperature = INT32_MIN, .cpuLoading = -1, .npuLoading = -1};
static struct stat g_seen;
static bool g_haveSeen = false;

static bool same_file(const struct stat *a, const struct stat *b) {
    return a->st_ino == b->st_ino && a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec
        && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void read_file(const char *path) {
    sim_telemetry values = {.temperature = INT32_MIN, .cpuLoading = -1, .npuLoading = -1};
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        g_fromFile = values;
        return;
    }
    char line[256];
    while (fgets(line, sizeof line, file)) {
        char *equals = strchr(line, '=');
        if (equals == NULL) continue;
        *equals = 0;
        char *end = NULL;
        long value = strtol(equals + 1, &end, 10);
        if (end == equals + 1) continue; // no number: ignored, as an unset environment variable is
        if (strcmp(line, "AXSIM_TEMPERATURE_MC") == 0) values.temperature = (int32_t)value;
        else if (strcmp(line, "AXSIM_CPU_LOADING") == 0) values.cpuLoading = (int32_t)value;
        else if (strcmp(line, "AXSIM_NPU_LOADING") == 0) values.npuLoading = (int32_t)value;
    }
    fclose(file);
    g_fromFile = values;
}

// Called with the lock held.
sim_telemetry sim_current_telemetry(void) {
    sim_telemetry current = {
        .temperature = g_sim.config.temperatureOverride,
        .cpuLoading = g_sim.config.cpuLoadOverride,
        .npuLoading = g_sim.config.npuLoadOverride,
    };
    const char *path = getenv("AXSIM_TELEMETRY_FILE");
    if (path == NULL || *path == 0) return current;
    struct stat now;
    if (stat(path, &now) != 0) {
        g_haveSeen = false;
        g_fromFile = (sim_telemetry){.temperature = INT32_MIN, .cpuLoading = -1, .npuLoading = -1};
    } else if (!g_haveSeen || !same_file(&now, &g_seen)) {
        g_seen = now;
        g_haveSeen = true;
        read_file(path);
    }
    if (g_fromFile.temperature != INT32_MIN) current.temperature = g_fromFile.temperature;
    if (g_fromFile.cpuLoading >= 0) current.cpuLoading = g_fromFile.cpuLoading;
    if (g_fromFile.npuLoading >= 0) current.npuLoading = g_fromFile.npuLoading;
    return current;
}
