// Compile-time checks that our declarations have the vendor's layouts (axera.md §1.2, §1.7).
// A C target also needs at least one source file; this is it.
#include "CAXCL.h"
#include <stddef.h>

_Static_assert(sizeof(axclrtDeviceList) == 1028, "axclrtDeviceList must be 1028 bytes");
_Static_assert(sizeof(axclrtDeviceProperties) == 240, "axclrtDeviceProperties must be 240 bytes");
_Static_assert(offsetof(axclrtDeviceProperties, uid) == 64, "uid follows the 64-byte version string");
_Static_assert(offsetof(axclrtDeviceProperties, temperature) == 84, "temperature offset");
_Static_assert(offsetof(axclrtDeviceProperties, reserved) == 112, "reserved offset");
_Static_assert(sizeof(axclrtEngineIODims) == 132, "axclrtEngineIODims must be 132 bytes");
_Static_assert(sizeof(axclrtMemcpyKind) == 4, "enums are passed as 32-bit ints");
_Static_assert(AXCL_ERR_CONTEXT_NO_BIND_CONTEXT == (axclError)0x80300284, "error macro composition");
_Static_assert(AXCL_RT_ERR(AXCL_SUB_ENGINE, AXCL_ERR_ID_EXECUTE_FAIL) == (axclError)0x8030070C, "engine execute fail");
