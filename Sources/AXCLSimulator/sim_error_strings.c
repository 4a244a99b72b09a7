// axclrtGetErrorString, from the newer runtime generation (axera.md §1.3): not exported by
// V3.10.2, so the binding only probes it. The vendor documents the signature, not the text; the
// simulator answers with the code's macro name, e.g. "AXCL_ERR_ENGINE_EXECUTE_FAIL".
#include "sim_internal.h"

#include <stdio.h>

static const char *sub_module_name(unsigned sub) {
    static const char *const names[] = {NULL, "DEVICE", "CONTEXT", "STREAM", "TASK", "MEMORY", "CONFIG",
                                        "ENGINE", "SYSLOG", "SYSCTRL", "LATENCY", "P2P", "USRWORK"};
    return sub < sizeof names / sizeof names[0] ? names[sub] : NULL;
}

// Generic ids are shared by every sub-module; ids from 0x80 belong to one (axera.md §1.2).
static const char *id_name(unsigned sub, unsigned id) {
    static const char *const generic[] = {NULL, "FAIL", "NULL_POINTER", "ILLEGAL_PARAM", "UNSUPPORT", "TIMEOUT",
                                          "BUSY", "NO_MEMORY", "ENCODE", "DECODE", "UNEXPECT_RESPONSE", "OPEN",
                                          "EXECUTE_FAIL"};
    if (id < sizeof generic / sizeof generic[0]) return generic[id];
    switch (sub << 8 | id) {
    case 0x0180: return "QUERY_DEVICE";
    case 0x0181: return "NO_CONNECT";
    case 0x0182: return "PROBE";
    case 0x0183: return "NOT_ACTIVE";
    case 0x0184: return "INVALID_ID";
    case 0x0185: return "NO_ACTIVE_DEVICE";
    case 0x0186: return "PORT_ALLOCATE";
    case 0x0187: return "REBOOT";
    case 0x0281: return "CREATE";
    case 0x0282: return "DESTROY";
    case 0x0283: return "BIND_THREAD";
    case 0x0284: return "NO_BIND_CONTEXT";
    case 0x0381: return "CREATE";
    case 0x0382: return "DESTROY";
    case 0x0383: return "SYNC_TIMEOUT";
    case 0x0581: return "NOT_DEVICE_MEMORY";
    case 0x0781: return "INVALID_INDEX";
    default: return NULL;
    }
}

// The text lives in a per-thread buffer: valid until the calling thread's next call.
SIM_EXPORT const char *axclrtGetErrorString(axclError error) {
    static __thread char text[64];
    unsigned code = (unsigned)error;
    if (code == AXCL_SUCC) return "AXCL_SUCC";
    unsigned module = (code >> 24) & 0x7F, marker = (code >> 16) & 0xFF, sub = (code >> 8) & 0xFF, id = code & 0xFF;
    const char *subName = sub_module_name(sub), *idName = id_name(sub, id);
    if (marker != AXCL_ID_AXCL)
        snprintf(text, sizeof text, "native SDK error 0x%08X", code);
    else if (module == AXCL_MODULE_RUNTIME && subName && idName)
        snprintf(text, sizeof text, "AXCL_ERR_%s_%s", subName, idName);
    else if ((module == 1 || module == 2) && subName && idName) // the NATIVE and LITE modules
        snprintf(text, sizeof text, "AXCL_ERR_%s_%s_%s", module == 1 ? "NATIVE" : "LITE", subName, idName);
    else
        snprintf(text, sizeof text, "unknown AXCL error 0x%08X", code);
    return text;
}
