import CAXCL

/// Engine calls (axera.md §1.7), in the order of the canonical sequence (axera.md §1.8).
extension AXCLDevice {
    /// `axclrtEngineInit` once per device. When it fails because someone already initialised the
    /// engine, the error says so and `virtualNPUKind()` tells the mode in use (axera.md §1.8).
    public func initializeEngine(_ kind: VirtualNPUKind = .disabled) throws(AXCLError) {
        try check(symbols.axclrtEngineInit(axclrtEngineVNpuKind(rawValue: UInt32(kind.rawValue))), "axclrtEngineInit")
    }

    public func virtualNPUKind() throws(AXCLError) -> VirtualNPUKind {
        var kind = AXCL_VNPU_DISABLE
        try check(symbols.axclrtEngineGetVNpuKind(&kind), "axclrtEngineGetVNpuKind")
        return VirtualNPUKind(rawValue: Int32(kind.rawValue)) ?? .disabled
    }

    public func finalizeEngine() throws(AXCLError) {
        try check(symbols.axclrtEngineFinalize(), "axclrtEngineFinalize")
    }

    public func loadModel(path: String) throws(AXCLError) -> EngineModel {
        var id: UInt64 = 0
        try check(symbols.axclrtEngineLoadFromFile(path, &id), "axclrtEngineLoadFromFile")
        let version = symbols.axclrtEngineGetModelCompilerVersion(id).map { String(cString: $0) } ?? ""
        return EngineModel(id: id, compilerVersion: version)
    }

    public func unload(_ model: EngineModel) throws(AXCLError) {
        try check(symbols.axclrtEngineUnload(model.id), "axclrtEngineUnload")
    }

    /// CMM the loaded model occupies, where the runtime reports it.
    public func cmmUsage(of model: EngineModel) throws(AXCLError) -> Int64? {
        guard let usage = symbols.axclrtEngineGetUsageFromModelId else { return nil }
        var system: Int64 = 0, cmm: Int64 = 0
        try check(usage(model.id, &system, &cmm), "axclrtEngineGetUsageFromModelId")
        return cmm
    }

    public func createContext(for model: EngineModel) throws(AXCLError) -> EngineContext {
        var id: UInt64 = 0
        try check(symbols.axclrtEngineCreateContext(model.id, &id), "axclrtEngineCreateContext")
        return EngineContext(id: id)
    }

    /// Reads names, data types, and every group's dimensions and sizes. Names and data types are
    /// group-invariant; dimensions and sizes are per group (axera.md §6).
    public func ioInfo(for model: EngineModel) throws(AXCLError) -> EngineIOInfo {
        var handle: axclrtEngineIOInfo?
        try check(symbols.axclrtEngineGetIOInfo(model.id, &handle), "axclrtEngineGetIOInfo")
        guard let handle else { throw AXCLError(code: AXCLErrorCode(rawValue: 0x8030_0702), call: "axclrtEngineGetIOInfo") }
        do {
            var groupCount: Int32 = 0
            try check(symbols.axclrtEngineGetShapeGroupsCount(handle, &groupCount), "axclrtEngineGetShapeGroupsCount")
            let inputCount = Int(symbols.axclrtEngineGetNumInputs(handle))
            let outputCount = Int(symbols.axclrtEngineGetNumOutputs(handle))
            var groups: [ShapeGroup] = []
            for group in 0 ..< Int(groupCount) {
                var inputs: [EngineTensor] = [], outputs: [EngineTensor] = []
                for index in 0 ..< inputCount { inputs.append(try tensor(handle, group: group, index: index, input: true)) }
                for index in 0 ..< outputCount { outputs.append(try tensor(handle, group: group, index: index, input: false)) }
                groups.append(ShapeGroup(index: group, inputs: inputs, outputs: outputs))
            }
            return EngineIOInfo(handle: handle, groups: groups)
        } catch {
            _ = symbols.axclrtEngineDestroyIOInfo(handle)
            throw error
        }
    }

    private func tensor(_ info: axclrtEngineIOInfo, group: Int, index: Int, input: Bool) throws(AXCLError) -> EngineTensor {
        let g = UInt32(group), i = UInt32(index)
        let namePointer = input ? symbols.axclrtEngineGetInputNameByIndex(info, i) : symbols.axclrtEngineGetOutputNameByIndex(info, i)
        var type = AXCL_DATA_TYPE_NONE
        var dims = axclrtEngineIODims()
        if input {
            try check(symbols.axclrtEngineGetInputDataType(info, i, &type), "axclrtEngineGetInputDataType")
            try check(symbols.axclrtEngineGetInputDims(info, g, i, &dims), "axclrtEngineGetInputDims")
        } else {
            try check(symbols.axclrtEngineGetOutputDataType(info, i, &type), "axclrtEngineGetOutputDataType")
            try check(symbols.axclrtEngineGetOutputDims(info, g, i, &dims), "axclrtEngineGetOutputDims")
        }
        let size = input ? symbols.axclrtEngineGetInputSizeByIndex(info, g, i) : symbols.axclrtEngineGetOutputSizeByIndex(info, g, i)
        let count = max(0, min(Int(dims.dimCount), Int(AXCLRT_ENGINE_MAX_DIM_CNT)))
        let dimensions = withUnsafeBytes(of: dims.dims) { Array($0.bindMemory(to: Int32.self).prefix(count)).map(Int.init) }
        return EngineTensor(
            index: index, name: namePointer.map { String(cString: $0) } ?? "",
            dataType: EngineDataType(rawValue: Int32(type.rawValue)) ?? .none, dimensions: dimensions, byteCount: Int(size))
    }

    public func destroy(_ info: EngineIOInfo) throws(AXCLError) {
        try check(symbols.axclrtEngineDestroyIOInfo(info.handle), "axclrtEngineDestroyIOInfo")
    }

    public func createIO(_ info: EngineIOInfo) throws(AXCLError) -> EngineIO {
        var handle: axclrtEngineIO?
        try check(symbols.axclrtEngineCreateIO(info.handle, &handle), "axclrtEngineCreateIO")
        guard let handle else { throw AXCLError(code: AXCLErrorCode(rawValue: 0x8030_0702), call: "axclrtEngineCreateIO") }
        return EngineIO(handle: handle)
    }

    /// Destroys the bindings; the bound buffers stay allocated (axera.md §1.7).
    public func destroy(_ io: EngineIO) throws(AXCLError) {
        try check(symbols.axclrtEngineDestroyIO(io.handle), "axclrtEngineDestroyIO")
    }

    /// Binds a buffer (or a part of one) to input `index`. Only address and size are recorded;
    /// the size must cover what the executed group needs (axera.md §1.7).
    public func bindInput(_ io: EngineIO, index: Int, to address: DeviceAddress, byteCount: Int) throws(AXCLError) {
        try check(symbols.axclrtEngineSetInputBufferByIndex(io.handle, UInt32(index), address.pointer, UInt64(byteCount)),
                  "axclrtEngineSetInputBufferByIndex")
    }

    public func bindOutput(_ io: EngineIO, index: Int, to address: DeviceAddress, byteCount: Int) throws(AXCLError) {
        try check(symbols.axclrtEngineSetOutputBufferByIndex(io.handle, UInt32(index), address.pointer, UInt64(byteCount)),
                  "axclrtEngineSetOutputBufferByIndex")
    }

    public func bindInput(_ io: EngineIO, index: Int, to buffer: DeviceBuffer) throws(AXCLError) {
        try bindInput(io, index: index, to: buffer.address, byteCount: buffer.byteCount)
    }

    public func bindOutput(_ io: EngineIO, index: Int, to buffer: DeviceBuffer) throws(AXCLError) {
        try bindOutput(io, index: index, to: buffer.address, byteCount: buffer.byteCount)
    }

    /// Runs one shape group synchronously.
    public func execute(_ model: EngineModel, context: EngineContext, group: Int, io: EngineIO) throws(AXCLError) {
        try check(symbols.axclrtEngineExecute(model.id, context.id, UInt32(group), io.handle), "axclrtEngineExecute")
    }
}
