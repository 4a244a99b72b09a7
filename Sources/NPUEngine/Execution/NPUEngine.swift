import AXCL
import EngineInterface
import Foundation

/// The ax-llm model runner on one AXCL card (axera.md §3): a package's layer engines loaded on
/// the device thread, chunked prefill and single-token decode with the K/V caches kept on the
/// card, the post model's bf16 logits read back to the host.
///
/// All mutable state is touched only inside functions isolated to `device`, whose executor is
/// the card's own thread: each public call makes one hop there and then runs synchronously, so
/// the token path pays no thread switch per runtime call.
public final class NPUEngine: InferenceEngine, NamedEngine, PrefixRestoringEngine, DeviceResidentEngine, @unchecked Sendable {
    public let descriptor: ModelDescriptor
    public let device: AXCLDevice
    public let package: NPUModelPackage
    public let shapes: LayerShapePlan
    public let options: NPUEngineOptions
    let embeddings: EmbeddingTable
    /// The card's status, shared with its other engines and its supervisor.
    public let card: CardHealth
    let supervision: EngineSupervision?
    let executeClock: ExecuteClock
    public let engineName = "npu"

    // Device-isolated state.
    private var stack: LayerStack?
    private var cached = 0
    /// Positions `[0, maskVisible)` of the decode mask on the card are visible.
    private var maskVisible = 0
    private var counters = NPUEngineCounters()
    /// The tokens whose rows are in the cache, so that a recovery can compute them again.
    private var cachedTokens: [TokenID] = []
    /// Set by a device fault: the card's handles are stale until the recovery reloads the model.
    private var isStale = false
    /// The tokens of the prefix last persisted, to write a file only when the shared prefix changes.
    private var persistedTokens: [TokenID] = []
    private lazy var prefixCacheKey = PrefixCacheFile.packageKey(package)
    /// Whether the call in progress decodes one token (for the timing counters).
    private var isDecoding = false

    private init(package: NPUModelPackage, device: AXCLDevice, stack: LayerStack, embeddings: EmbeddingTable, options: NPUEngineOptions,
                 card: CardHealth, supervision: EngineSupervision?) {
        self.package = package
        self.card = card
        self.supervision = supervision
        executeClock = supervision?.clock ?? ExecuteClock()
        self.device = device
        self.stack = stack
        self.embeddings = embeddings
        self.options = options
        shapes = stack.shapes
        descriptor = ModelDescriptor(
            architecture: Self.architecture(of: package.manifest), vocabularySize: package.manifest.vocabularySize,
            contextLength: stack.shapes.capacity, embeddingLength: stack.shapes.hidden, layerCount: stack.layers.count,
            quantization: Self.quantization(of: package.manifest), deviceMemoryBytes: Int64(stack.cmmUsedKiB) * 1024)
    }

    /// Loads `package` onto `device` (whose engine is initialised, see `NPUCard`). A load that
    /// fails leaves nothing allocated on the card.
    public static func load(_ package: NPUModelPackage, on device: AXCLDevice, options: NPUEngineOptions = NPUEngineOptions())
        async throws -> NPUEngine
    {
        try await load(package, on: device, options: options, card: CardHealth(id: device.id), supervision: nil)
    }

    /// A load for a supervised card: faults go to the supervisor, executes are watched.
    static func load(_ package: NPUModelPackage, on device: AXCLDevice, options: NPUEngineOptions, card: CardHealth,
                     supervision: EngineSupervision?) async throws -> NPUEngine
    {
        let embeddings = try EmbeddingTable(url: package.embeddingFile, vocabularySize: package.manifest.vocabularySize,
                                            hiddenSize: package.manifest.hiddenSize)
        let stack = try await LayerStack.load(package, cmmFloorMiB: options.cmmFloorMiB, on: device)
        let engine = NPUEngine(package: package, device: device, stack: stack, embeddings: embeddings, options: options,
                               card: card, supervision: supervision)
        try await engine.resetDecodeMask(on: device)
        await engine.restorePersistedPrefix()
        return engine
    }

    /// `qwen2` from `qwen2_p128_l%d_together.axmodel` (axera.md §3.2).
    static func architecture(of manifest: NPUPackageManifest) -> String {
        let file = manifest.layerTemplate.split(separator: "/").last.map(String.init) ?? manifest.layerTemplate
        return file.components(separatedBy: "_p").first.flatMap { $0.isEmpty ? nil : $0 } ?? manifest.modelName
    }

    static func quantization(of manifest: NPUPackageManifest) -> String? {
        quantization(named: manifest.modelName)
    }

    static func quantization(named text: String) -> String? {
        let name = text.lowercased()
        if name.contains("int4") || name.contains("w4a16") { return "W4A16" }
        if name.contains("int8") || name.contains("w8a16") { return "W8A16" }
        if name.contains("bf16") { return "BF16" }
        return nil
    }

    // MARK: InferenceEngine

    public func forward(_ tokens: [TokenID], at position: Int) async throws -> Logits {
        try await forward(tokens, at: position, prefillMode: options.prefillMode)
    }

    /// `forward` with the prefill mode chosen for this call, to compare the modes on one card.
    public func forward(_ tokens: [TokenID], at position: Int, prefillMode: PrefillMode) async throws -> Logits {
        try card.admit()
        guard let supervision else {
            return try await evaluate(tokens, at: position, mode: prefillMode, record: true, on: device)
        }
        let card = self.card, timeout = supervision.engineTimeout, ticket = CallTicket()
        return try await ExecuteWatchdog.run(
            clock: executeClock, timeout: timeout,
            stalled: {
                ticket.abandon()
                card.recordFault("timeout")
                let detail = "an engine execute did not return within \(Self.seconds(timeout)); the card is wedged. "
                    + "It recovers by itself if the call ever returns; otherwise restart axllama, and if that does not help, "
                    + "reboot the card (axcl-smi reboot) or power-cycle it"
                card.transition(to: .wedged, detail: detail, from: [.ready, .degraded, .recovering])
                supervision.wedged(detail)
                return EngineUnavailableError("the NPU card \(card.snapshot.name) is wedged: \(detail)")
            },
            lateReturn: { supervision.lateReturn() },
            { try await self.evaluate(tokens, at: position, mode: prefillMode, record: true, ticket: ticket, on: self.device) })
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    public func truncateCache(to length: Int) async {
        await truncate(to: length, on: device)
    }

    public func embedding(for tokens: [TokenID]) async throws -> [Float] {
        throw NPUEngineError.embeddingsUnsupported
    }

    public func health() async -> EngineHealth { card.engineHealth }

    /// The tokens in the cache; right after a load, the persisted prefix that was restored.
    public func restoredPrefix() async -> [TokenID] { await readCachedTokens(on: device) }

    // MARK: Inspection

    public func cachedCount() async -> Int { await readCached(on: device) }

    public func counters() async -> NPUEngineCounters { await readCounters(on: device) }

    /// The bf16 K and V rows `range` of `layer` as they sit in the card's cache.
    public func cacheRows(layer: Int, range: Range<Int>) async throws -> (keys: [UInt16], values: [UInt16]) {
        try await readCacheRows(layer: layer, range: range, on: device)
    }

    /// The shape groups of every layer, then of the post model, as the runtime reported them.
    public func ioTables() async throws -> [[ShapeGroup]] {
        try await readIOTables(on: device)
    }

    public func deviceProperties() async throws -> DeviceProperties { try await device.properties() }

    /// Releases everything on the card in the documented order (axera.md §1.8).
    public func unload() async throws {
        try await release(on: device)
    }

    // MARK: Device-isolated work

    private func readCached(on device: isolated AXCLDevice) -> Int { cached }
    private func readCachedTokens(on device: isolated AXCLDevice) -> [TokenID] { cachedTokens }
    private func readIOTables(on device: isolated AXCLDevice) throws -> [[ShapeGroup]] {
        guard let stack else { throw NPUEngineError.deviceUnavailable("the model was unloaded") }
        return stack.ioTables
    }
    private func readCounters(on device: isolated AXCLDevice) -> NPUEngineCounters { counters }

    /// A truncation keeps what the previous and the next request share: with an installation's
    /// fixed system prompt that is the system prompt, which is then persisted when configured.
    /// A kept prefix that only extends the persisted one (the next turn of a conversation) is
    /// not written again.
    private func truncate(to length: Int, on device: isolated AXCLDevice) {
        let kept = min(cachedTokens.count, max(0, length))
        cachedTokens.removeSubrange(kept...)
        guard !isStale else { return }
        cached = min(cached, kept)
        let extendsPersisted = !persistedTokens.isEmpty && kept >= persistedTokens.count && cachedTokens.starts(with: persistedTokens)
        if kept >= options.minimumPersistedPrefix, kept == cached, !extendsPersisted {
            persistPrefix(on: device)
        }
    }

    private func persistPrefix(on device: isolated AXCLDevice) {
        guard let directory = options.prefixCacheDirectory, let stack else { return }
        do {
            var keys: [[UInt16]] = [], values: [[UInt16]] = []
            for layer in stack.layers {
                keys.append(try device.read(UInt16.self, count: cached * shapes.kvWidth, from: layer.keys.address))
                values.append(try device.read(UInt16.self, count: cached * shapes.kvWidth, from: layer.values.address))
            }
            try PrefixCacheFile(tokens: cachedTokens, kvWidth: shapes.kvWidth, keys: keys, values: values)
                .write(in: directory, packageKey: prefixCacheKey)
            persistedTokens = cachedTokens
            counters.prefixCacheWrites += 1
            counters.prefixCacheError = nil
        } catch {
            counters.prefixCacheError = "writing the prefix cache in \(directory.path) failed: \(error)"
        }
    }

    private func restorePersistedPrefix() async { await restorePersisted(matching: nil, on: device) }

    /// Writes a persisted prefix's rows into the caches. With `matching`, only a prefix of those
    /// tokens is used (a recovery restores what the session above expects); otherwise the file's
    /// tokens become the cache. Returns the positions restored.
    @discardableResult
    private func restorePersisted(matching expected: [TokenID]?, on device: isolated AXCLDevice) -> Int {
        guard let directory = options.prefixCacheDirectory, let stack, cached == 0,
              let file = PrefixCacheFile.read(in: directory, packageKey: prefixCacheKey, layers: stack.layers.count,
                                              kvWidth: shapes.kvWidth, capacity: shapes.capacity)
        else { return 0 }
        if let expected, !(file.tokens.count <= expected.count && expected.starts(with: file.tokens)) { return 0 }
        do {
            for (index, layer) in stack.layers.enumerated() {
                try device.write(file.keys[index], to: layer.keys.address)
                try device.write(file.values[index], to: layer.values.address)
            }
        } catch {
            return 0
        }
        cached = file.tokens.count
        if expected == nil { cachedTokens = file.tokens }
        persistedTokens = file.tokens
        counters.prefixCacheRestoredPositions += file.tokens.count
        return file.tokens.count
    }

    private func release(on device: isolated AXCLDevice) throws {
        guard var stack else { return }
        self.stack = nil
        cached = 0
        cachedTokens = []
        if let error = stack.allocations.release(on: device) { throw NPUEngineError.device(error) }
    }

    /// - Parameter record: whether the tokens join `cachedTokens` (false when a recovery
    ///   computes them again).
    /// - Parameter ticket: when the watchdog abandoned the call, it changes nothing.
    private func evaluate(_ tokens: [TokenID], at position: Int, mode: PrefillMode, record: Bool, ticket: CallTicket? = nil,
                          on device: isolated AXCLDevice) throws -> Logits {
        if ticket?.isAbandoned == true { throw EngineUnavailableError("the call was abandoned by the watchdog") }
        if isStale { throw EngineUnavailableError("the NPU card \(card.snapshot.name) is recovering from a fault") }
        guard let stack else { throw NPUEngineError.deviceUnavailable("the model was unloaded") }
        guard position == cached else { throw EngineError.invalidPosition(position: position, cached: cached) }
        guard !tokens.isEmpty else { throw NPUEngineError.emptyInput }
        guard position + tokens.count <= shapes.capacity else {
            throw EngineError.contextOverflow(requested: position + tokens.count, capacity: shapes.capacity)
        }
        for token in tokens where token < 0 || Int(token) >= embeddings.vocabularySize {
            throw EngineError.tokenOutOfRange(token, vocabularySize: embeddings.vocabularySize)
        }
        let plan = PrefillPlan(cached: position, count: tokens.count, shapes: shapes,
                               mode: tokens.count > 1 ? mode : .tokenByToken)
        let started = DispatchTime.now().uptimeNanoseconds
        isDecoding = tokens.count == 1
        let logits: Logits
        do {
            var lastRow: (buffers: GroupBuffers, row: Int)?
            for step in plan.steps {
                switch step {
                case let .chunk(group, offset, count, history):
                    try runChunk(tokens[offset ..< offset + count], group: group, history: history, stack: stack, on: device)
                    lastRow = (stack.groups[group.index]!, count - 1)
                case let .single(offset, position):
                    try runSingle(tokens[offset], at: position, stack: stack, on: device)
                    lastRow = nil
                }
            }
            if let (buffers, row) = lastRow {
                // The post model reads the decode group's last hidden buffer: move the chunk's last real row there.
                let from = buffers.hidden[stack.layers.count % 2].address(at: row * shapes.hidden * 2)
                try device.copy(from, to: stack.decodeBuffers.hidden[stack.layers.count % 2].address, byteCount: shapes.hidden * 2)
            }
            logits = try runPost(stack, on: device)
        } catch {
            throw classifyFault(error, on: device)
        }
        if ticket?.isAbandoned == true {
            // Its caller was told it failed: the rows written past `position` are ignored.
            throw EngineUnavailableError("the call was abandoned by the watchdog")
        }
        cached = position + tokens.count
        if record { cachedTokens.append(contentsOf: tokens) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        if tokens.count > 1 { counters.prefillSeconds += seconds } else { counters.decodeSeconds += seconds }
        return logits
    }

    /// Every AXCL error is counted by kind. One that leaves the card unhealthy (axera.md §7.9)
    /// makes the engine stale and hands the card to recovery; any other fails this call only,
    /// with the cache as it was before it (rows beyond `cached` are rewritten by the next call).
    private func classifyFault(_ error: AXCLError, on device: isolated AXCLDevice) -> NPUEngineError {
        card.recordFault(error.kind.rawValue)
        guard error.kind.marksDeviceUnhealthy else { return NPUEngineError.device(error) }
        isStale = true
        if let supervision {
            let detail = "\(error); recovering the card"
            if card.transition(to: .recovering, detail: detail, from: [.ready, .degraded]) { supervision.deviceFault(error) }
        } else {
            // Nobody will recover this card: the engine stays unusable.
            card.transition(to: .failed, detail: "\(error)", from: [.ready, .degraded, .recovering])
        }
        return NPUEngineError.device(error)
    }

    /// One token through every layer's decode group (axera.md §3.7).
    private func runSingle(_ token: TokenID, at position: Int, stack: LayerStack, on device: isolated AXCLDevice) throws(AXCLError) {
        let buffers = stack.decodeBuffers, staging = stack.staging
        let rowBytes = shapes.kvWidth * 2
        embeddings.copyRow(token, to: staging.embeddings.pointer)
        try device.copy(staging.embeddings, to: buffers.hidden[0].address, byteCount: embeddings.rowBytes)
        staging.indices.pointer.storeBytes(of: UInt32(position), as: UInt32.self)
        try device.copy(staging.indices, to: buffers.indices.address, byteCount: 4)
        try syncDecodeMask(visible: position, stack: stack, on: device)
        let group = shapes.decodeGroup
        for layer in stack.layers {
            try timedExecute(layer.model, layer.context, group: group, io: layer.ios[group], on: device)
            try device.copy(buffers.keysOut.address, to: layer.keys.address(at: position * rowBytes), byteCount: rowBytes)
            try device.copy(buffers.valuesOut.address, to: layer.values.address(at: position * rowBytes), byteCount: rowBytes)
        }
        counters.executes += stack.layers.count
        counters.decodeSteps += 1
    }

    /// Up to one chunk of tokens through every layer's prefill group (axera.md §3.6).
    private func runChunk(_ tokens: ArraySlice<TokenID>, group: LayerShapePlan.PrefillGroup, history cachedRows: Int,
                          stack: LayerStack, on device: isolated AXCLDevice) throws(AXCLError) {
        let buffers = stack.groups[group.index]!, staging = stack.staging
        let n = tokens.count, rowBytes = shapes.kvWidth * 2
        MaskRows.fillChunk(staging.mask.pointer.assumingMemoryBound(to: UInt16.self), chunk: group.chunk, history: group.history,
                           cached: cachedRows, realRows: n)
        try device.copy(staging.mask, to: buffers.mask.address, byteCount: buffers.mask.byteCount)
        let indices = staging.indices.pointer.assumingMemoryBound(to: UInt32.self)
        for i in 0 ..< group.chunk { indices[i] = i < n ? UInt32(cachedRows + i) : 0 }
        try device.copy(staging.indices, to: buffers.indices.address, byteCount: group.chunk * 4)
        for (i, token) in tokens.enumerated() { embeddings.copyRow(token, to: staging.embeddings.pointer + i * embeddings.rowBytes) }
        (staging.embeddings.pointer + n * embeddings.rowBytes).initializeMemory(as: UInt8.self, repeating: 0,
                                                                                 count: (group.chunk - n) * embeddings.rowBytes)
        try device.copy(staging.embeddings, to: buffers.hidden[0].address, byteCount: group.chunk * embeddings.rowBytes)
        for layer in stack.layers {
            try timedExecute(layer.model, layer.context, group: group.index, io: layer.ios[group.index], on: device)
            try device.copy(buffers.keysOut.address, to: layer.keys.address(at: cachedRows * rowBytes), byteCount: n * rowBytes)
            try device.copy(buffers.valuesOut.address, to: layer.values.address(at: cachedRows * rowBytes), byteCount: n * rowBytes)
        }
        counters.executes += stack.layers.count
        counters.prefillChunks += 1
    }

    private func timedExecute(_ model: EngineModel, _ context: EngineContext, group: Int, io: EngineIO,
                              on device: isolated AXCLDevice) throws(AXCLError) {
        let started = DispatchTime.now().uptimeNanoseconds
        executeClock.begin()
        defer {
            executeClock.end()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            counters.executeSeconds += seconds
            if isDecoding { counters.decodeExecuteSeconds += seconds }
        }
        try device.execute(model, context: context, group: group, io: io)
    }

    private func runPost(_ stack: LayerStack, on device: isolated AXCLDevice) throws(AXCLError) -> Logits {
        let post = stack.post
        try timedExecute(post.model, post.context, group: 0, io: post.io, on: device)
        counters.executes += 1
        let count = embeddings.vocabularySize
        try device.copy(post.logits.address, to: stack.staging.logits, byteCount: count * 2)
        let bits = UnsafePointer(stack.staging.logits.pointer.assumingMemoryBound(to: UInt16.self))
        // bf16 -> f32 is a shift into the upper half (axera.md §3.4).
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0 ..< count { buffer[i] = Float(bitPattern: UInt32(bits[i]) << 16) }
            initialized = count
        }
        return Logits(values)
    }

    /// Brings the decode mask on the card to `visible` visible positions, writing only the
    /// positions that changed.
    private func syncDecodeMask(visible: Int, stack: LayerStack, on device: isolated AXCLDevice) throws(AXCLError) {
        guard visible != maskVisible else { return }
        let (start, count, value) = visible > maskVisible
            ? (maskVisible, visible - maskVisible, MaskValue.visible)
            : (visible, maskVisible - visible, MaskValue.masked)
        stack.staging.mask.pointer.assumingMemoryBound(to: UInt16.self).update(repeating: value, count: count)
        try device.copy(stack.staging.mask, to: stack.decodeBuffers.mask.address(at: start * 2), byteCount: count * 2)
        maskVisible = visible
    }

    /// All cache positions masked; the last column, the token's own slot, visible (axera.md §3.7).
    private func resetDecodeMask(on device: isolated AXCLDevice) throws {
        guard let stack else { return }
        let capacity = shapes.capacity
        let mask = stack.staging.mask.pointer.assumingMemoryBound(to: UInt16.self)
        mask.update(repeating: MaskValue.masked, count: capacity)
        mask[capacity] = MaskValue.visible
        try device.copy(stack.staging.mask, to: stack.decodeBuffers.mask.address, byteCount: (capacity + 1) * 2)
        maskVisible = 0
    }

    // MARK: Recovery (driven by CardSupervisor on the device thread)

    /// Frees what the model held, best effort: after a reboot the handles are already gone.
    func releaseForRecovery() async { await releaseStale(on: device) }

    /// Loads the package again and computes the cached tokens again, so that the next request
    /// finds the prefix it expects (the session above still holds the same tokens).
    func reloadAfterRecovery() async throws { try await reload(on: device) }

    private func releaseStale(on device: isolated AXCLDevice) {
        isStale = true
        if var stack { _ = stack.allocations.release(on: device) }
        stack = nil
        cached = 0
        maskVisible = 0
    }

    private func reload(on device: isolated AXCLDevice) throws {
        if stack != nil { releaseStale(on: device) }
        let fresh = try LayerStack.load(package, cmmFloorMiB: options.cmmFloorMiB, on: device)
        guard fresh.shapes == shapes else {
            var fresh = fresh
            _ = fresh.allocations.release(on: device)
            throw NPUEngineError.inconsistentLayers(path: package.directory.path, reason: "the reloaded package has other shape groups")
        }
        stack = fresh
        cached = 0
        isStale = false
        try resetDecodeMask(on: device)
        let restored = restorePersisted(matching: cachedTokens, on: device)
        if restored < cachedTokens.count {
            _ = try evaluate(Array(cachedTokens[restored...]), at: restored, mode: options.prefillMode, record: false, on: device)
        }
    }

    private func readCacheRows(layer: Int, range: Range<Int>, on device: isolated AXCLDevice) throws -> (keys: [UInt16], values: [UInt16]) {
        guard let stack else { throw NPUEngineError.deviceUnavailable("the model was unloaded") }
        let rowBytes = shapes.kvWidth * 2, count = range.count * shapes.kvWidth
        let keys = try device.read(UInt16.self, count: count, from: stack.layers[layer].keys.address(at: range.lowerBound * rowBytes))
        let values = try device.read(UInt16.self, count: count, from: stack.layers[layer].values.address(at: range.lowerBound * rowBytes))
        return (keys, values)
    }
}
