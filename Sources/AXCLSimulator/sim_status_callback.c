// axclrtRegisterDeviceStatusCallback (axera.md §1.4): not exported by V3.10.2, reported in
// M5Stack's 3.6.5 build; its documentation tells the callback to reboot the card on
// AXCL_DEVICE_STATUS_OFFLINE. The simulator reports OFFLINE when a device drops off the bus
// (injected fault, overtemperature, axsim_set_device_offline) and ONLINE when a rebooted device is
// back in the list. Callbacks run on a thread of their own, never on the caller's, so a callback
// may call back into the runtime (e.g. axclrtRebootDevice) without deadlocking.
#include "sim_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t g_callbackLock = PTHREAD_MUTEX_INITIALIZER;
static axclrtDeviceStatusCallback g_callback = NULL;
static void *g_userdata = NULL;

typedef struct status_event {
    axclrtDeviceStatusCallback callback;
    void *userdata;
    int32_t deviceId;
    axclrtDeviceStatus status;
    double delaySeconds;
} status_event;

static void *deliver(void *argument) {
    status_event *event = argument;
    if (event->delaySeconds > 0) {
        struct timespec wait = {.tv_sec = (time_t)event->delaySeconds,
                                .tv_nsec = (long)((event->delaySeconds - (double)(time_t)event->delaySeconds) * 1e9)};
        nanosleep(&wait, NULL);
    }
    // A callback unregistered or replaced in the meantime is not called.
    pthread_mutex_lock(&g_callbackLock);
    bool current = g_callback == event->callback && g_userdata == event->userdata;
    pthread_mutex_unlock(&g_callbackLock);
    if (current) event->callback(event->deviceId, event->status, event->userdata);
    free(event);
    return NULL;
}

void sim_report_device_status(int32_t deviceId, axclrtDeviceStatus status, double delaySeconds) {
    pthread_mutex_lock(&g_callbackLock);
    axclrtDeviceStatusCallback callback = g_callback;
    void *userdata = g_userdata;
    pthread_mutex_unlock(&g_callbackLock);
    if (callback == NULL) return;
    status_event *event = malloc(sizeof *event);
    if (event == NULL) return;
    *event = (status_event){callback, userdata, deviceId, status, delaySeconds};
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&thread, &attributes, deliver, event) != 0) free(event);
    pthread_attr_destroy(&attributes);
}

void sim_mark_device_offline(sim_device *device) {
    if (device->offline) return;
    device->offline = true;
    sim_report_device_status(device->id, AXCL_DEVICE_STATUS_OFFLINE, 0);
}

void sim_clear_device_status_callback(void) {
    pthread_mutex_lock(&g_callbackLock);
    g_callback = NULL;
    g_userdata = NULL;
    pthread_mutex_unlock(&g_callbackLock);
}

// One registration per process; a new one replaces it and NULL removes it.
SIM_EXPORT axclError axclrtRegisterDeviceStatusCallback(axclrtDeviceStatusCallback callback, void *userdata) {
    pthread_mutex_lock(&g_callbackLock);
    g_callback = callback;
    g_userdata = callback ? userdata : NULL;
    pthread_mutex_unlock(&g_callbackLock);
    return AXCL_SUCC;
}
