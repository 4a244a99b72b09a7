import AXCL
import Foundation

/// A package's layers `layerRange` placed on one card: layers loaded in order on the device
/// thread, shape groups read and classified, buffers allocated once (axera.md §7.4, §7.5). A model
/// that fits on one card is one stack of every layer with the post model; a model split across
/// cards is one stack per card, the post model on the last.
struct LayerStack: Sendable {
    let shapes: LayerShapePlan
    /// The package's layer indices held here.
    let layerRange: Range<Int>
    let layers: [LoadedLayer]
    /// By shape-group index; the decode group and every prefill group.
    let groups: [Int: GroupBuffers]
    /// On the card that holds the last layer only.
    let post: LoadedPost?
    let staging: HostStaging
    /// Every layer's shape groups as the runtime reported them, then the post model's.
    let ioTables: [[ShapeGroup]]
    var allocations: DeviceAllocations
    /// CMM the load took, measured from the card's free pool before and after.
    let cmmUsedKiB: Int

    var decodeBuffers: GroupBuffers { groups[shapes.decodeGroup]! }

    /// The hidden buffer the last layer here writes (of `buffers`' pair): the post model's input,
    /// or the rows handed to the next card.
    func outputBuffer(of buffers: GroupBuffers) -> DeviceBuffer { buffers.hidden[layers.count % 2] }

    /// - Parameter layerRange: the layers to load; nil loads them all.
    /// - Parameter withPost: whether the post model goes on this card too.
    /// - Parameter clock: stamped with each runtime call of the load, for the card's watchdog.
    static func load(_ package: NPUModelPackage, layers layerRange: Range<Int>? = nil, withPost: Bool = true, cmmFloorMiB: Int,
                     clock: ExecuteClock = ExecuteClock(), on device: isolated AXCLDevice) throws -> LayerStack {
        var allocations = DeviceAllocations()
        do {
            defer { clock.end() }
            return try load(package, layers: layerRange ?? package.layerFiles.indices, withPost: withPost, cmmFloorMiB: cmmFloorMiB,
                            allocations: &allocations, clock: clock, on: device)
        } catch {
            _ = allocations.release(on: device)
            throw error
        }
    }

    private static func fileSize(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// How long loading a model file may take beyond the engine timeout: its size at a third of
    /// the load rate seen on a Pi 5 (axera.md §5: 28 × 65 MB engines in about 60 s, ≈ 30 MB/s),
    /// so that a large post model or layer is not taken for a hung call.
    static func loadGrace(of file: URL) -> Double { Double(fileSize(file)) / 10_000_000 }

    /// Each runtime call, or short run of calls, is stamped on `clock` before it starts: the
    /// watchdog that finds one overrunning names it in the card's detail.
    private static func load(_ package: NPUModelPackage, layers layerRange: Range<Int>, withPost: Bool, cmmFloorMiB: Int,
                             allocations: inout DeviceAllocations, clock: ExecuteClock, on device: isolated AXCLDevice) throws -> LayerStack {
        guard !layerRange.isEmpty, layerRange.clamped(to: package.layerFiles.indices) == layerRange else {
            throw NPUEngineError.invalidPackage(directory: package.directory.path,
                                                reason: "layers \(layerRange) are not among its \(package.layerFiles.count) layers")
        }
        let files = Array(package.layerFiles[layerRange])
        clock.begin("axclrtGetDeviceProperties (free CMM before the load)")
        let guardrail = CMMGuard(freeKiB: Int(try device.properties().cmmFreeKiB), floorMiB: cmmFloorMiB)
        let postBytes = withPost ? fileSize(package.postModelFile) : 0
        try guardrail.checkBeforeLoad(weightBytes: files.reduce(postBytes) { $0 + fileSize($1) }, layerCount: files.count)

        var shapes: LayerShapePlan?
        var groupInfo: [ShapeGroup] = []
        var groups: [Int: GroupBuffers] = [:]
        var layers: [LoadedLayer] = []
        var freeAfterFirst: Int?
        // `index` counts from the first layer on this card: the ping-pong of hidden buffers restarts per card.
        for (index, file) in files.enumerated() {
            let layerName = "layer \(layerRange.lowerBound + index) (\(file.lastPathComponent))"
            clock.begin("axclrtEngineLoadFromFile of \(layerName)", grace: loadGrace(of: file))
            let model = try device.loadModel(path: file.path)
            allocations.models.append(model)
            clock.begin("setting up \(layerName): context, IO info, buffers and IO bindings")
            let context = try device.createContext(for: model)
            let info = try device.ioInfo(for: model)
            allocations.infos.append(info)
            let plan = try LayerShapePlan(groups: info.groups, path: file.path)
            if let shapes {
                guard plan == shapes, info.groups == groupInfo else {
                    throw NPUEngineError.inconsistentLayers(path: file.path, reason: "its shape groups differ from layer 0's")
                }
            } else {
                guard plan.hidden == package.manifest.hiddenSize else {
                    throw NPUEngineError.inconsistentLayers(
                        path: file.path, reason: "its hidden width \(plan.hidden) is not tokens_embed_size \(package.manifest.hiddenSize)")
                }
                shapes = plan
                groupInfo = info.groups
                groups = try allocateGroupBuffers(info.groups, plan: plan, allocations: &allocations, on: device)
            }
            // One cache per layer, sized for the decode group, bound to every group (axera.md §3.5).
            let cacheBytes = plan.capacity * plan.cacheRowBytes
            let keys = try allocations.zeroedBuffer(cacheBytes, on: device)
            let values = try allocations.zeroedBuffer(cacheBytes, on: device)
            var ios: [EngineIO] = []
            for group in info.groups {
                let io = try device.createIO(info)
                allocations.ios.append(io)
                let buffers = groups[group.index]!
                let bound: [String: DeviceBuffer] = [
                    "K_cache": keys, "V_cache": values, "indices": buffers.indices, "mask": buffers.mask,
                    "input": buffers.hidden[index % 2],
                ]
                for tensor in group.inputs { try device.bindInput(io, index: tensor.index, to: bound[tensor.name]!) }
                let outputs: [String: DeviceBuffer] = [
                    "K_cache_out": buffers.keysOut, "V_cache_out": buffers.valuesOut, "output": buffers.hidden[(index + 1) % 2],
                ]
                for tensor in group.outputs {
                    guard let buffer = outputs[tensor.name] else {
                        throw NPUEngineError.unsupportedLayerModel(path: file.path, reason: "unexpected output \(tensor.name)")
                    }
                    try device.bindOutput(io, index: tensor.index, to: buffer)
                }
                ios.append(io)
            }
            layers.append(LoadedLayer(model: model, context: context, ios: ios, keys: keys, values: values))
            clock.begin("axclrtGetDeviceProperties (free CMM after \(layerName))")
            let free = Int(try device.properties().cmmFreeKiB)
            if index == 0 { freeAfterFirst = free }
            try guardrail.checkAfterLayers(loaded: index + 1, total: files.count, freeKiB: free, freeAfterFirstKiB: freeAfterFirst,
                                           postModelBytes: postBytes)
        }
        guard let shapes else {
            throw NPUEngineError.invalidPackage(directory: package.directory.path, reason: "it has no layers")
        }
        let decode = groups[shapes.decodeGroup]!
        let post = withPost
            ? try loadPost(package, input: decode.hidden[layers.count % 2], shapes: shapes, allocations: &allocations, clock: clock, on: device)
            : nil
        clock.begin("axclrtMallocHost of the host staging buffers")
        let largestChunk = shapes.prefillGroups.map(\.chunk).max() ?? 1
        let largestMask = groupInfo.compactMap { $0.input(named: "mask")?.byteCount }.max() ?? 0
        let staging = HostStaging(
            embeddings: try allocations.hostBuffer(largestChunk * shapes.activationRowBytes, on: device),
            indices: try allocations.hostBuffer(largestChunk * 4, on: device),
            mask: try allocations.hostBuffer(max(largestMask, (shapes.capacity + 1) * shapes.maskType.byteWidth), on: device),
            logits: try post.map { try allocations.hostBuffer($0.vocabularySize * $0.logitsType.byteWidth, on: device) })
        clock.begin("axclrtGetDeviceProperties (free CMM after the load)")
        let used = max(0, guardrail.freeAtStartKiB - Int(try device.properties().cmmFreeKiB))
        return LayerStack(shapes: shapes, layerRange: layerRange, layers: layers, groups: groups, post: post, staging: staging,
                          ioTables: allocations.infos.map(\.groups), allocations: allocations, cmmUsedKiB: used)
    }

    /// Exact-size buffers per group (axera.md §7.5), shared by every layer's IO of that group.
    private static func allocateGroupBuffers(_ groups: [ShapeGroup], plan: LayerShapePlan, allocations: inout DeviceAllocations,
                                             on device: isolated AXCLDevice) throws -> [Int: GroupBuffers] {
        var result: [Int: GroupBuffers] = [:]
        for group in groups {
            func bytes(_ name: String) -> Int { group.input(named: name)?.byteCount ?? group.output(named: name)!.byteCount }
            let rows = group.input(named: "indices")!.dimensions.reduce(1, *)
            result[group.index] = GroupBuffers(
                rows: rows,
                indices: try allocations.zeroedBuffer(bytes("indices"), on: device),
                mask: try allocations.zeroedBuffer(bytes("mask"), on: device),
                hidden: [try allocations.zeroedBuffer(bytes("input"), on: device),
                         try allocations.zeroedBuffer(bytes("output"), on: device)],
                keysOut: try allocations.zeroedBuffer(bytes("K_cache_out"), on: device),
                valuesOut: try allocations.zeroedBuffer(bytes("V_cache_out"), on: device))
        }
        return result
    }

    private static func loadPost(_ package: NPUModelPackage, input: DeviceBuffer, shapes: LayerShapePlan,
                                 allocations: inout DeviceAllocations, clock: ExecuteClock, on device: isolated AXCLDevice) throws -> LoadedPost {
        let path = package.postModelFile.path
        let postName = "the post model (\(package.postModelFile.lastPathComponent))"
        clock.begin("axclrtEngineLoadFromFile of \(postName)", grace: loadGrace(of: package.postModelFile))
        let model = try device.loadModel(path: path)
        allocations.models.append(model)
        clock.begin("setting up \(postName): context, IO info, buffers and IO bindings")
        let context = try device.createContext(for: model)
        let info = try device.ioInfo(for: model)
        allocations.infos.append(info)
        guard let group = info.groups.first, let inputTensor = group.input(named: "input"),
              let output = group.output(named: "output"), group.inputs.count == 1, group.outputs.count == 1
        else { throw NPUEngineError.unsupportedLayerModel(path: path, reason: "a post model has one input `input` and one output `output`") }
        // The post model reads the last layer's output buffer as it is: same width, same data type.
        let hidden = shapes.hidden, activation = shapes.activationType
        guard inputTensor.dimensions.last == hidden, inputTensor.byteCount == input.byteCount, inputTensor.dataType == activation.dataType else {
            throw NPUEngineError.unsupportedLayerModel(
                path: path, reason: "its input is not one \(activation.rawValue) row of \(hidden) values, as the layers' output is")
        }
        guard let logitsType = FloatIOType(output.dataType) else {
            throw NPUEngineError.unsupportedLayerModel(
                path: path, reason: "its logits are \(output.dataType); the engine reads bf16, fp16 or fp32 logits")
        }
        let vocabulary = output.dimensions.last ?? 0
        guard vocabulary >= package.manifest.vocabularySize else {
            throw NPUEngineError.inconsistentLayers(path: path, reason: "\(vocabulary) logits for a vocabulary of \(package.manifest.vocabularySize)")
        }
        let logits = try allocations.zeroedBuffer(output.byteCount, on: device)
        let io = try device.createIO(info)
        allocations.ios.append(io)
        try device.bindInput(io, index: inputTensor.index, to: input)
        try device.bindOutput(io, index: output.index, to: logits)
        return LoadedPost(model: model, context: context, io: io, logits: logits, logitsType: logitsType, vocabularySize: vocabulary)
    }
}
