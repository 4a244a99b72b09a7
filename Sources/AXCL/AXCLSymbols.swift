import CAXCL

/// Every AXCL entry point the backend uses, resolved once when the library is opened.
/// Required symbols exist in every supported runtime (V3.10.2); optional ones are probed
/// because runtime generations differ (axera.md §7.2).
public struct AXCLSymbols: @unchecked Sendable {
    public let axclInit: PFN_axclInit
    public let axclFinalize: PFN_axclFinalize
    public let axclSetLogLevel: PFN_axclSetLogLevel
    public let axclrtGetVersion: PFN_axclrtGetVersion
    public let axclrtGetSocName: PFN_axclrtGetSocName
    public let axclrtGetDeviceList: PFN_axclrtGetDeviceList
    public let axclrtGetDeviceCount: PFN_axclrtGetDeviceCount
    public let axclrtSetDevice: PFN_axclrtSetDevice
    public let axclrtResetDevice: PFN_axclrtResetDevice
    public let axclrtGetDeviceProperties: PFN_axclrtGetDeviceProperties
    public let axclrtCreateContext: PFN_axclrtCreateContext
    public let axclrtDestroyContext: PFN_axclrtDestroyContext
    public let axclrtSetCurrentContext: PFN_axclrtSetCurrentContext
    public let axclrtGetCurrentContext: PFN_axclrtGetCurrentContext
    public let axclrtMalloc: PFN_axclrtMalloc
    public let axclrtFree: PFN_axclrtFree
    public let axclrtMallocHost: PFN_axclrtMallocHost
    public let axclrtFreeHost: PFN_axclrtFreeHost
    public let axclrtMemset: PFN_axclrtMemset
    public let axclrtMemcpy: PFN_axclrtMemcpy
    public let axclrtEngineInit: PFN_axclrtEngineInit
    public let axclrtEngineFinalize: PFN_axclrtEngineFinalize
    public let axclrtEngineGetVNpuKind: PFN_axclrtEngineGetVNpuKind
    public let axclrtEngineLoadFromFile: PFN_axclrtEngineLoadFromFile
    public let axclrtEngineUnload: PFN_axclrtEngineUnload
    public let axclrtEngineGetModelCompilerVersion: PFN_axclrtEngineGetModelCompilerVersion
    public let axclrtEngineCreateContext: PFN_axclrtEngineCreateContext
    public let axclrtEngineGetIOInfo: PFN_axclrtEngineGetIOInfo
    public let axclrtEngineDestroyIOInfo: PFN_axclrtEngineDestroyIOInfo
    public let axclrtEngineGetShapeGroupsCount: PFN_axclrtEngineGetShapeGroupsCount
    public let axclrtEngineGetNumInputs: PFN_axclrtEngineGetNumInputs
    public let axclrtEngineGetNumOutputs: PFN_axclrtEngineGetNumOutputs
    public let axclrtEngineGetInputNameByIndex: PFN_axclrtEngineGetInputNameByIndex
    public let axclrtEngineGetOutputNameByIndex: PFN_axclrtEngineGetOutputNameByIndex
    public let axclrtEngineGetInputSizeByIndex: PFN_axclrtEngineGetInputSizeByIndex
    public let axclrtEngineGetOutputSizeByIndex: PFN_axclrtEngineGetOutputSizeByIndex
    public let axclrtEngineGetInputDims: PFN_axclrtEngineGetInputDims
    public let axclrtEngineGetOutputDims: PFN_axclrtEngineGetOutputDims
    public let axclrtEngineGetInputDataType: PFN_axclrtEngineGetInputDataType
    public let axclrtEngineGetOutputDataType: PFN_axclrtEngineGetOutputDataType
    public let axclrtEngineCreateIO: PFN_axclrtEngineCreateIO
    public let axclrtEngineDestroyIO: PFN_axclrtEngineDestroyIO
    public let axclrtEngineSetInputBufferByIndex: PFN_axclrtEngineSetInputBufferByIndex
    public let axclrtEngineSetOutputBufferByIndex: PFN_axclrtEngineSetOutputBufferByIndex
    public let axclrtEngineExecute: PFN_axclrtEngineExecute

    // Optional: nil when this runtime does not export them.
    public let axclrtEngineExecuteAsync: PFN_axclrtEngineExecuteAsync?
    public let axclrtCreateStream: PFN_axclrtCreateStream?
    public let axclrtDestroyStream: PFN_axclrtDestroyStream?
    public let axclrtSynchronizeStream: PFN_axclrtSynchronizeStream?
    public let axclrtSynchronizeStreamWithTimeout: PFN_axclrtSynchronizeStreamWithTimeout?
    public let axclrtEngineGetUsage: PFN_axclrtEngineGetUsage?
    public let axclrtEngineGetUsageFromModelId: PFN_axclrtEngineGetUsageFromModelId?
    public let axclrtRebootDevice: PFN_axclrtRebootDevice?
    public let axclrtRegisterDeviceStatusCallback: PFN_axclrtRegisterDeviceStatusCallback?
    public let axclrtControlExecuteShellCmd: PFN_axclrtControlExecuteShellCmd?
    public let axclrtGetLastError: PFN_axclrtGetLastError?
    public let axclrtGetErrorString: PFN_axclrtGetErrorString?

    /// Names of the required symbols, in the order they are resolved.
    public static let requiredNames: [String] = [
        "axclInit", "axclFinalize", "axclSetLogLevel", "axclrtGetVersion",
        "axclrtGetSocName", "axclrtGetDeviceList", "axclrtGetDeviceCount", "axclrtSetDevice",
        "axclrtResetDevice", "axclrtGetDeviceProperties", "axclrtCreateContext", "axclrtDestroyContext",
        "axclrtSetCurrentContext", "axclrtGetCurrentContext", "axclrtMalloc", "axclrtFree",
        "axclrtMallocHost", "axclrtFreeHost", "axclrtMemset", "axclrtMemcpy",
        "axclrtEngineInit", "axclrtEngineFinalize", "axclrtEngineGetVNpuKind", "axclrtEngineLoadFromFile",
        "axclrtEngineUnload", "axclrtEngineGetModelCompilerVersion", "axclrtEngineCreateContext", "axclrtEngineGetIOInfo",
        "axclrtEngineDestroyIOInfo", "axclrtEngineGetShapeGroupsCount", "axclrtEngineGetNumInputs", "axclrtEngineGetNumOutputs",
        "axclrtEngineGetInputNameByIndex", "axclrtEngineGetOutputNameByIndex", "axclrtEngineGetInputSizeByIndex", "axclrtEngineGetOutputSizeByIndex",
        "axclrtEngineGetInputDims", "axclrtEngineGetOutputDims", "axclrtEngineGetInputDataType", "axclrtEngineGetOutputDataType",
        "axclrtEngineCreateIO", "axclrtEngineDestroyIO", "axclrtEngineSetInputBufferByIndex", "axclrtEngineSetOutputBufferByIndex",
        "axclrtEngineExecute",
    ]

    /// Names of the optional symbols this runtime exports.
    public var availableOptionalNames: [String] {
        var names: [String] = []
        if axclrtEngineExecuteAsync != nil { names.append("axclrtEngineExecuteAsync") }
        if axclrtCreateStream != nil { names.append("axclrtCreateStream") }
        if axclrtDestroyStream != nil { names.append("axclrtDestroyStream") }
        if axclrtSynchronizeStream != nil { names.append("axclrtSynchronizeStream") }
        if axclrtSynchronizeStreamWithTimeout != nil { names.append("axclrtSynchronizeStreamWithTimeout") }
        if axclrtEngineGetUsage != nil { names.append("axclrtEngineGetUsage") }
        if axclrtEngineGetUsageFromModelId != nil { names.append("axclrtEngineGetUsageFromModelId") }
        if axclrtRebootDevice != nil { names.append("axclrtRebootDevice") }
        if axclrtRegisterDeviceStatusCallback != nil { names.append("axclrtRegisterDeviceStatusCallback") }
        if axclrtControlExecuteShellCmd != nil { names.append("axclrtControlExecuteShellCmd") }
        if axclrtGetLastError != nil { names.append("axclrtGetLastError") }
        if axclrtGetErrorString != nil { names.append("axclrtGetErrorString") }
        return names
    }

    init(resolver: inout SymbolResolver) {
        axclInit = resolver.required("axclInit")
        axclFinalize = resolver.required("axclFinalize")
        axclSetLogLevel = resolver.required("axclSetLogLevel")
        axclrtGetVersion = resolver.required("axclrtGetVersion")
        axclrtGetSocName = resolver.required("axclrtGetSocName")
        axclrtGetDeviceList = resolver.required("axclrtGetDeviceList")
        axclrtGetDeviceCount = resolver.required("axclrtGetDeviceCount")
        axclrtSetDevice = resolver.required("axclrtSetDevice")
        axclrtResetDevice = resolver.required("axclrtResetDevice")
        axclrtGetDeviceProperties = resolver.required("axclrtGetDeviceProperties")
        axclrtCreateContext = resolver.required("axclrtCreateContext")
        axclrtDestroyContext = resolver.required("axclrtDestroyContext")
        axclrtSetCurrentContext = resolver.required("axclrtSetCurrentContext")
        axclrtGetCurrentContext = resolver.required("axclrtGetCurrentContext")
        axclrtMalloc = resolver.required("axclrtMalloc")
        axclrtFree = resolver.required("axclrtFree")
        axclrtMallocHost = resolver.required("axclrtMallocHost")
        axclrtFreeHost = resolver.required("axclrtFreeHost")
        axclrtMemset = resolver.required("axclrtMemset")
        axclrtMemcpy = resolver.required("axclrtMemcpy")
        axclrtEngineInit = resolver.required("axclrtEngineInit")
        axclrtEngineFinalize = resolver.required("axclrtEngineFinalize")
        axclrtEngineGetVNpuKind = resolver.required("axclrtEngineGetVNpuKind")
        axclrtEngineLoadFromFile = resolver.required("axclrtEngineLoadFromFile")
        axclrtEngineUnload = resolver.required("axclrtEngineUnload")
        axclrtEngineGetModelCompilerVersion = resolver.required("axclrtEngineGetModelCompilerVersion")
        axclrtEngineCreateContext = resolver.required("axclrtEngineCreateContext")
        axclrtEngineGetIOInfo = resolver.required("axclrtEngineGetIOInfo")
        axclrtEngineDestroyIOInfo = resolver.required("axclrtEngineDestroyIOInfo")
        axclrtEngineGetShapeGroupsCount = resolver.required("axclrtEngineGetShapeGroupsCount")
        axclrtEngineGetNumInputs = resolver.required("axclrtEngineGetNumInputs")
        axclrtEngineGetNumOutputs = resolver.required("axclrtEngineGetNumOutputs")
        axclrtEngineGetInputNameByIndex = resolver.required("axclrtEngineGetInputNameByIndex")
        axclrtEngineGetOutputNameByIndex = resolver.required("axclrtEngineGetOutputNameByIndex")
        axclrtEngineGetInputSizeByIndex = resolver.required("axclrtEngineGetInputSizeByIndex")
        axclrtEngineGetOutputSizeByIndex = resolver.required("axclrtEngineGetOutputSizeByIndex")
        axclrtEngineGetInputDims = resolver.required("axclrtEngineGetInputDims")
        axclrtEngineGetOutputDims = resolver.required("axclrtEngineGetOutputDims")
        axclrtEngineGetInputDataType = resolver.required("axclrtEngineGetInputDataType")
        axclrtEngineGetOutputDataType = resolver.required("axclrtEngineGetOutputDataType")
        axclrtEngineCreateIO = resolver.required("axclrtEngineCreateIO")
        axclrtEngineDestroyIO = resolver.required("axclrtEngineDestroyIO")
        axclrtEngineSetInputBufferByIndex = resolver.required("axclrtEngineSetInputBufferByIndex")
        axclrtEngineSetOutputBufferByIndex = resolver.required("axclrtEngineSetOutputBufferByIndex")
        axclrtEngineExecute = resolver.required("axclrtEngineExecute")
        axclrtEngineExecuteAsync = resolver.optional("axclrtEngineExecuteAsync")
        axclrtCreateStream = resolver.optional("axclrtCreateStream")
        axclrtDestroyStream = resolver.optional("axclrtDestroyStream")
        axclrtSynchronizeStream = resolver.optional("axclrtSynchronizeStream")
        axclrtSynchronizeStreamWithTimeout = resolver.optional("axclrtSynchronizeStreamWithTimeout")
        axclrtEngineGetUsage = resolver.optional("axclrtEngineGetUsage")
        axclrtEngineGetUsageFromModelId = resolver.optional("axclrtEngineGetUsageFromModelId")
        axclrtRebootDevice = resolver.optional("axclrtRebootDevice")
        axclrtRegisterDeviceStatusCallback = resolver.optional("axclrtRegisterDeviceStatusCallback")
        axclrtControlExecuteShellCmd = resolver.optional("axclrtControlExecuteShellCmd")
        axclrtGetLastError = resolver.optional("axclrtGetLastError")
        axclrtGetErrorString = resolver.optional("axclrtGetErrorString")
    }
}
