// AXSIM_HANG_AT_CALL / axsim_set_hang_at_call: the Kth call from now of one named runtime
// function blocks, the way a card that stops answering leaves any call of a load stuck
// (axera.md §5), so that the watchdog over each of a load's calls can be shown to fire.
#include "sim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The calls that can be made to hang: those a model's load makes besides the file load itself
// (which has AXSIM_HANG_AT_LOAD). Execute and copies are left out: they run per token, and
// executes have AXSIM_HANG_AT_EXECUTE.
static const char *const kHangableCalls[] = {
    "axclrtGetDeviceProperties",
    "axclrtEngineCreateContext",
    "axclrtEngineGetIOInfo",
    "axclrtEngineCreateIO",
    "axclrtEngineSetInputBufferByIndex",
    "axclrtEngineSetOutputBufferByIndex",
    "axclrtEngineSetInputBufferByName",
    "axclrtEngineSetOutputBufferByName",
    "axclrtMalloc",
    "axclrtMallocCached",
    "axclrtMallocHost",
    "axclrtMemset",
};

static bool is_hangable(const char *symbol) {
    for (size_t i = 0; i < sizeof kHangableCalls / sizeof *kHangableCalls; i++)
        if (strcmp(kHangableCalls[i], symbol) == 0) return true;
    return false;
}

// Called with the lock held. Arms the fault (a count <= 0 or no name disarms it); false for a
// name that cannot hang, which leaves the fault off.
static bool arm(const char *symbol, int64_t call) {
    g_sim.hangCallSymbol[0] = 0;
    g_sim.hangCallSeen = 0;
    g_sim.hangCallAt = 0;
    if (symbol == NULL || call <= 0) return true;
    if (!is_hangable(symbol)) return false;
    snprintf(g_sim.hangCallSymbol, sizeof g_sim.hangCallSymbol, "%s", symbol);
    g_sim.hangCallAt = (uint64_t)call;
    return true;
}

void sim_load_call_hang_from_environment(void) {
    arm(NULL, 0);
    const char *text = getenv("AXSIM_HANG_AT_CALL");
    if (text == NULL || *text == 0) return;
    // <symbol>:<k>
    const char *colon = strrchr(text, ':');
    char *end = NULL;
    long long call = colon ? strtoll(colon + 1, &end, 10) : 0;
    char symbol[sizeof g_sim.hangCallSymbol] = {0};
    size_t length = colon ? (size_t)(colon - text) : 0;
    bool parsed = colon != NULL && end != NULL && end != colon + 1 && *end == 0 && call > 0 && length > 0 && length < sizeof symbol;
    if (parsed) memcpy(symbol, text, length);
    if (!parsed || !arm(symbol, call))
        fprintf(stderr, "[axsim] AXSIM_HANG_AT_CALL=%s ignored: expected <symbol>:<k> with k >= 1 and one of the calls listed "
                        "in docs/simulated-axmodel.md\n", text);
}

void sim_hang_if_injected(const char *symbol) {
    sim_lock();
    if (g_sim.hangCallAt != 0 && strcmp(g_sim.hangCallSymbol, symbol) == 0 && ++g_sim.hangCallSeen == g_sim.hangCallAt) {
        // Once released the call goes on as one that was merely slow, against the card as it is then.
        sim_wait_for_hang_release();
    }
    sim_unlock();
}

SIM_EXPORT int32_t axsim_set_hang_at_call(const char *symbol, int64_t call) {
    sim_lock();
    bool armed = arm(symbol, call);
    sim_unlock();
    return armed ? 0 : -1;
}
