// Umbrella header of the CAXCL module: our own declarations of the AXCL runtime ABI.
#ifndef AXLLAMA_CAXCL_H
#define AXLLAMA_CAXCL_H
#include "axcl_types.h"
#include "axcl_error_codes.h"
#include "axcl_functions.h"
#endif
