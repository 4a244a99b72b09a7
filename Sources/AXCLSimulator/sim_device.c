// Devices, contexts and telemetry: the device list, ref-counted SetDevice/ResetDevice, per-thread
// current contexts, properties and reboot (axera.md §1.4, §1.5, §1.9).
#include "sim_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The calling thread's current context, remembered by serial (0 = none) (axera.md §1.5).
static __thread uint64_t t_currentContext = 0;

// Card overtemperature reset (axera.md §1.1).
static const int32_t kResetTemperature = 120000;

sim_device *sim_find_device(int32_t deviceId) {
    for (uint32_t i = 0; i < g_sim.deviceCount; i++)
        if (g_sim.devices[i].id == deviceId) return &g_sim.devices[i];
    return NULL;
}

bool sim_device_present(const sim_device *device) {
    double now = sim_now();
    return now >= g_sim.listEmptyUntil && now >= device->rebootUntil;
}

static double npu_load_fraction(sim_device *device) {
    int32_t fixed = sim_current_telemetry().npuLoading;
    if (fixed >= 0) return fixed / 10000.0;
    double now = sim_now();
    double window = now - device->busySince;
    if (window >= 1.0) {
        device->lastNpuLoad = device->busySeconds / window;
        device->busySince = now;
        device->busySeconds = 0;
    }
    return device->lastNpuLoad > 1 ? 1 : device->lastNpuLoad;
}

void sim_note_busy(sim_device *device, double seconds) { device->busySeconds += seconds; }

// Idle 41 degC, about 50 degC while decoding (axera.md §1.9), plus the configured ramp.
static int32_t temperature_of(sim_device *device) {
    int32_t fixed = sim_current_telemetry().temperature;
    if (fixed != INT32_MIN) return fixed;
    double ramp = g_sim.initialized ? g_sim.config.temperatureRamp * (sim_now() - g_sim.initTime) : 0;
    double value = 41000 + 9000 * npu_load_fraction(device) + ramp;
    return value > INT32_MAX ? INT32_MAX : (int32_t)value;
}

axclError sim_device_health_error(const sim_device *device) {
    if (device->offline || !sim_device_present(device)) return AXCL_ERR_DEVICE_NO_CONNECT;
    if (temperature_of((sim_device *)device) >= kResetTemperature) {
        sim_mark_device_offline((sim_device *)device);
        return AXCL_ERR_DEVICE_NO_CONNECT;
    }
    return AXCL_SUCC;
}

static sim_context *find_context_by_serial(uint64_t serial) {
    if (serial == 0) return NULL;
    for (sim_context *c = g_sim.contexts; c; c = c->next)
        if (c->serial == serial) return c;
    return NULL;
}

static sim_context *find_context(axclrtContext handle) {
    for (sim_context *c = g_sim.contexts; c; c = c->next)
        if ((void *)c == handle) return c;
    return NULL;
}

static sim_context *new_context(sim_device *device, bool isDefault) {
    sim_context *context = calloc(1, sizeof *context);
    if (context == NULL) return NULL;
    context->serial = ++g_sim.nextContextSerial;
    context->deviceId = device->id;
    context->bootGeneration = device->bootGeneration;
    context->isDefault = isDefault;
    context->next = g_sim.contexts;
    g_sim.contexts = context;
    return context;
}

static void remove_context(sim_context *context) {
    for (sim_context **link = &g_sim.contexts; *link; link = &(*link)->next) {
        if (*link == context) {
            *link = context->next;
            break;
        }
    }
    if (t_currentContext == context->serial) t_currentContext = 0;
    free(context);
}

// Called with the lock held. Every device call needs the thread's current context (axera.md §1.5).
axclError sim_require_context(sim_device **deviceOut) {
    sim_context *context = find_context_by_serial(t_currentContext);
    if (context == NULL) {
        // A thread whose context died with a reboot sees the device as inactive, not as a
        // threading mistake, so that recovery treats it like the rest of the fault.
        for (uint32_t i = 0; i < g_sim.staleContextCount && i < 64; i++)
            if (t_currentContext != 0 && g_sim.staleContexts[i] == t_currentContext) return AXCL_ERR_DEVICE_NOT_ACTIVE;
        return AXCL_ERR_CONTEXT_NO_BIND_CONTEXT;
    }
    sim_device *device = sim_find_device(context->deviceId);
    if (device == NULL || device->bootGeneration != context->bootGeneration) return AXCL_ERR_DEVICE_NOT_ACTIVE;
    axclError health = sim_device_health_error(device);
    if (health != AXCL_SUCC) return health;
    *deviceOut = device;
    return AXCL_SUCC;
}

static axclError activate(sim_device *device) {
    if (device->refCount == 0 && device->defaultContext == NULL) {
        device->defaultContext = new_context(device, true);
        if (device->defaultContext == NULL) return AXCL_RT_ERR(AXCL_SUB_DEVICE, AXCL_ERR_ID_NO_MEMORY);
    }
    device->refCount++;
    return AXCL_SUCC;
}

// Called with the lock held when a device's count reaches 0.
static void deactivate(sim_device *device) {
    sim_release_device_resources(device->id, true);
}

void sim_release_device_resources(int32_t deviceId, bool countLeaks) {
    sim_device *device = NULL;
    for (uint32_t i = 0; i < SIM_MAX_DEVICES; i++)
        if (g_sim.devices[i].id == deviceId) device = &g_sim.devices[i];
    if (device == NULL) return;
    for (size_t i = g_sim.allocationCount; i > 0; i--) {
        if (g_sim.allocations[i - 1].deviceId != deviceId) continue;
        if (countLeaks) g_sim.leakedAtReset++;
        sim_free_allocation_at(i - 1);
    }
    for (sim_model **link = &g_sim.models; *link;) {
        sim_model *model = *link;
        if (model->deviceId != deviceId) {
            link = &model->next;
            continue;
        }
        if (countLeaks) g_sim.leakedAtReset++;
        *link = model->next;
        sim_unload_model(model);
    }
    for (sim_context **link = &g_sim.contexts; *link;) {
        sim_context *context = *link;
        if (context->deviceId != deviceId) {
            link = &context->next;
            continue;
        }
        if (countLeaks && !context->isDefault) g_sim.leakedAtReset++;
        *link = context->next;
        if (t_currentContext == context->serial) t_currentContext = 0;
        free(context);
    }
    device->defaultContext = NULL;
    device->refCount = 0;
    device->engineInitialized = false;
    device->cmmUsed = 0;
}

// MARK: Device API (axera.md §1.4)

SIM_EXPORT axclError axclrtGetDeviceList(axclrtDeviceList *list) {
    if (list == NULL) return AXCL_RT_ERR(AXCL_SUB_DEVICE, AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    if (!g_sim.initialized) {
        sim_unlock();
        return AXCL_ERR_DEVICE_NOT_ACTIVE;
    }
    memset(list, 0, sizeof *list);
    for (uint32_t i = 0; i < g_sim.deviceCount; i++)
        if (sim_device_present(&g_sim.devices[i])) list->devices[list->num++] = g_sim.devices[i].id;
    sim_unlock();
    return AXCL_SUCC;
}

SIM_EXPORT axclError axclrtGetDeviceCount(uint32_t *count) {
    axclrtDeviceList list;
    if (count == NULL) return AXCL_RT_ERR(AXCL_SUB_DEVICE, AXCL_ERR_ID_NULL_POINTER);
    axclError error = axclrtGetDeviceList(&list);
    if (error == AXCL_SUCC) *count = list.num;
    return error;
}

SIM_EXPORT axclError axclrtSetDevice(int32_t deviceId) {
    sim_lock();
    axclError error = AXCL_SUCC;
    sim_device *device = sim_find_device(deviceId);
    if (!g_sim.initialized) error = AXCL_ERR_DEVICE_NOT_ACTIVE;
    else if (device == NULL) error = AXCL_ERR_DEVICE_INVALID_ID;
    else if ((error = sim_device_health_error(device)) == AXCL_SUCC && (error = activate(device)) == AXCL_SUCC)
        t_currentContext = device->defaultContext->serial; // SetDevice binds the default context
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtResetDevice(int32_t deviceId) {
    sim_lock();
    axclError error = AXCL_SUCC;
    sim_device *device = sim_find_device(deviceId);
    if (device == NULL) error = AXCL_ERR_DEVICE_INVALID_ID;
    else if (device->refCount == 0) error = AXCL_ERR_DEVICE_NOT_ACTIVE;
    else if (--device->refCount == 0) deactivate(device);
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtGetDevice(int32_t *deviceId) {
    if (deviceId == NULL) return AXCL_RT_ERR(AXCL_SUB_DEVICE, AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_context *context = find_context_by_serial(t_currentContext);
    if (context) *deviceId = context->deviceId;
    sim_unlock();
    return context ? AXCL_SUCC : AXCL_ERR_DEVICE_NO_ACTIVE_DEVICE;
}

SIM_EXPORT axclError axclrtSynchronizeDevice(void) {
    sim_lock();
    sim_device *device = NULL;
    axclError error = sim_require_context(&device);
    sim_unlock();
    return error; // executes are synchronous, so there is never outstanding work
}

SIM_EXPORT axclError axclrtGetDeviceProperties(int32_t deviceId, axclrtDeviceProperties *properties) {
    sim_hang_if_injected("axclrtGetDeviceProperties");
    if (properties == NULL) return AXCL_RT_ERR(AXCL_SUB_DEVICE, AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_device *device = sim_find_device(deviceId);
    axclError error = AXCL_SUCC;
    if (!g_sim.initialized) error = AXCL_ERR_DEVICE_NOT_ACTIVE;
    else if (device == NULL) error = AXCL_ERR_DEVICE_INVALID_ID;
    else error = sim_device_health_error(device);
    if (error == AXCL_SUCC) {
        memset(properties, 0, sizeof *properties);
        snprintf(properties->swVersion, sizeof properties->swVersion, "Ax_Version V3.10.2_axsim");
        properties->uid = 0xA5500000ull + (uint64_t)device->id;
        properties->pciBusID = (uint32_t)device->id;
        properties->temperature = temperature_of(device);
        // An 8 GB card: ~945 MiB for its Linux, the rest is CMM (axera.md §1.9, §5).
        properties->totalMemSize = 945u * 1024u;
        properties->freeMemSize = 600u * 1024u;
        uint64_t budget = g_sim.config.cmmBudgetBytes;
        uint64_t used = device->cmmUsed > budget ? budget : device->cmmUsed;
        properties->totalCmmSize = (uint32_t)(budget >> 10);
        properties->freeCmmSize = (uint32_t)((budget - used) >> 10);
        int32_t cpuLoading = sim_current_telemetry().cpuLoading;
        properties->cpuLoading = cpuLoading >= 0 ? (uint32_t)cpuLoading : 300;
        properties->npuLoading = (uint32_t)(npu_load_fraction(device) * 10000);
    }
    sim_unlock();
    return error;
}

// Exported by V3.10.2 without a public declaration (axera.md §1.4): the card restarts, every
// host handle for it becomes stale, and it leaves the device list for the reboot duration. Like
// the field ladder's EP reboot (axera.md §5), it heals a card that dropped off the bus: the
// injected "offline after N executes" is cleared unless it is configured to survive reboots.
SIM_EXPORT axclError axclrtRebootDevice(int32_t deviceId) {
    sim_lock();
    sim_device *device = sim_find_device(deviceId);
    axclError error = AXCL_SUCC;
    if (!g_sim.initialized) error = AXCL_ERR_DEVICE_NOT_ACTIVE;
    else if (device == NULL) error = AXCL_ERR_DEVICE_INVALID_ID;
    else {
        for (sim_context *c = g_sim.contexts; c; c = c->next)
            if (c->deviceId == deviceId) g_sim.staleContexts[g_sim.staleContextCount++ % 64] = c->serial;
        sim_release_device_resources(deviceId, false);
        device->bootGeneration++;
        device->offline = false;
        if (!g_sim.config.offlineSurvivesReboot) g_sim.offlineAfterExecute = 0;
        device->rebootUntil = sim_now() + g_sim.config.rebootSeconds;
        sim_report_device_status(deviceId, AXCL_DEVICE_STATUS_ONLINE, g_sim.config.rebootSeconds);
        device->busySeconds = 0;
        device->lastNpuLoad = 0;
    }
    sim_unlock();
    return error;
}

// MARK: Context API (axera.md §1.5)

SIM_EXPORT axclError axclrtCreateContext(axclrtContext *handle, int32_t deviceId) {
    if (handle == NULL) return AXCL_RT_ERR(AXCL_SUB_CONTEXT, AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_device *device = sim_find_device(deviceId);
    axclError error = AXCL_SUCC;
    if (!g_sim.initialized) error = AXCL_ERR_DEVICE_NOT_ACTIVE;
    else if (device == NULL) error = AXCL_ERR_DEVICE_INVALID_ID;
    else if ((error = sim_device_health_error(device)) == AXCL_SUCC && (error = activate(device)) == AXCL_SUCC) {
        sim_context *context = new_context(device, false);
        if (context == NULL) {
            error = AXCL_ERR_CONTEXT_CREATE;
        } else {
            t_currentContext = context->serial; // a new context is bound to the creating thread
            *handle = context;
        }
    }
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtDestroyContext(axclrtContext handle) {
    sim_lock();
    sim_context *context = find_context(handle);
    axclError error = AXCL_SUCC;
    if (context == NULL || context->isDefault) {
        error = AXCL_ERR_CONTEXT_DESTROY; // default contexts go with ResetDevice
    } else {
        int32_t deviceId = context->deviceId;
        bool stale = false;
        sim_device *device = sim_find_device(deviceId);
        stale = device == NULL || device->bootGeneration != context->bootGeneration;
        remove_context(context);
        if (!stale && device->refCount > 0 && --device->refCount == 0) deactivate(device);
    }
    sim_unlock();
    return error;
}

SIM_EXPORT axclError axclrtSetCurrentContext(axclrtContext handle) {
    if (handle == NULL) return AXCL_RT_ERR(AXCL_SUB_CONTEXT, AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_context *context = find_context(handle);
    if (context) t_currentContext = context->serial;
    sim_unlock();
    return context ? AXCL_SUCC : AXCL_ERR_CONTEXT_BIND_THREAD;
}

SIM_EXPORT axclError axclrtGetCurrentContext(axclrtContext *handle) {
    if (handle == NULL) return AXCL_RT_ERR(AXCL_SUB_CONTEXT, AXCL_ERR_ID_NULL_POINTER);
    sim_lock();
    sim_context *context = find_context_by_serial(t_currentContext);
    if (context) *handle = context;
    sim_unlock();
    return context ? AXCL_SUCC : AXCL_ERR_CONTEXT_NO_BIND_CONTEXT;
}
