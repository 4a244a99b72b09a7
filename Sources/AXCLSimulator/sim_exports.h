// Declares every exported runtime entry point with the function type of its CAXCL pointer
// typedef, so that a definition whose signature drifts from the declarations the binding uses
// fails to compile.
#ifndef AXSIM_EXPORTS_H
#define AXSIM_EXPORTS_H

#include "CAXCL.h"

#define SIM_DECLARE(name) extern __typeof__(*(PFN_##name)0) name;

SIM_DECLARE(axclInit)
SIM_DECLARE(axclFinalize)
SIM_DECLARE(axclSetLogLevel)
SIM_DECLARE(axclrtGetVersion)
SIM_DECLARE(axclrtGetSocName)
SIM_DECLARE(axclrtGetDeviceList)
SIM_DECLARE(axclrtGetDeviceCount)
SIM_DECLARE(axclrtSetDevice)
SIM_DECLARE(axclrtResetDevice)
SIM_DECLARE(axclrtGetDeviceProperties)
SIM_DECLARE(axclrtCreateContext)
SIM_DECLARE(axclrtDestroyContext)
SIM_DECLARE(axclrtSetCurrentContext)
SIM_DECLARE(axclrtGetCurrentContext)
SIM_DECLARE(axclrtMalloc)
SIM_DECLARE(axclrtFree)
SIM_DECLARE(axclrtMallocHost)
SIM_DECLARE(axclrtFreeHost)
SIM_DECLARE(axclrtMemset)
SIM_DECLARE(axclrtMemcpy)
SIM_DECLARE(axclrtEngineInit)
SIM_DECLARE(axclrtEngineFinalize)
SIM_DECLARE(axclrtEngineGetVNpuKind)
SIM_DECLARE(axclrtEngineLoadFromFile)
SIM_DECLARE(axclrtEngineUnload)
SIM_DECLARE(axclrtEngineGetModelCompilerVersion)
SIM_DECLARE(axclrtEngineCreateContext)
SIM_DECLARE(axclrtEngineGetIOInfo)
SIM_DECLARE(axclrtEngineDestroyIOInfo)
SIM_DECLARE(axclrtEngineGetShapeGroupsCount)
SIM_DECLARE(axclrtEngineGetNumInputs)
SIM_DECLARE(axclrtEngineGetNumOutputs)
SIM_DECLARE(axclrtEngineGetInputNameByIndex)
SIM_DECLARE(axclrtEngineGetOutputNameByIndex)
SIM_DECLARE(axclrtEngineGetInputSizeByIndex)
SIM_DECLARE(axclrtEngineGetOutputSizeByIndex)
SIM_DECLARE(axclrtEngineGetInputDims)
SIM_DECLARE(axclrtEngineGetOutputDims)
SIM_DECLARE(axclrtEngineGetInputDataType)
SIM_DECLARE(axclrtEngineGetOutputDataType)
SIM_DECLARE(axclrtEngineCreateIO)
SIM_DECLARE(axclrtEngineDestroyIO)
SIM_DECLARE(axclrtEngineSetInputBufferByIndex)
SIM_DECLARE(axclrtEngineSetOutputBufferByIndex)
SIM_DECLARE(axclrtEngineExecute)
SIM_DECLARE(axclrtEngineExecuteAsync)
SIM_DECLARE(axclrtCreateStream)
SIM_DECLARE(axclrtDestroyStream)
SIM_DECLARE(axclrtSynchronizeStream)
SIM_DECLARE(axclrtSynchronizeStreamWithTimeout)
SIM_DECLARE(axclrtEngineGetUsage)
SIM_DECLARE(axclrtEngineGetUsageFromModelId)
SIM_DECLARE(axclrtRebootDevice)
SIM_DECLARE(axclrtRegisterDeviceStatusCallback)
SIM_DECLARE(axclrtGetErrorString)

#undef SIM_DECLARE
#endif
