import AXCL
import EngineInterface
import Foundation
import Synchronization

/// The ax-llm model runner on AXCL cards (axera.md §3): a package's layer engines loaded on the
/// device threads, chunked prefill and single-token decode with the K/V caches kept on the cards,
/// the post model's logits read back to the host; every tensor the host writes or reads is in the
/// data type its engine declares (`FloatIOType`: bf16 in vendor packages). A package larger than any one card's CMM
/// runs split across cards, each holding a contiguous range of layers with their caches; the
/// hidden rows cross from one card to the next through the host, as ax-llm's multi-card runner
/// does (axera.md §1.6, §3.1).
///
/// All mutable state is touched only on the card threads, one step at a time: each public call
/// makes one hop to the first card's thread and runs synchronously there, so a model on one card
/// pays no thread switch per runtime call; a split model hops to each further card once per step.
public final class NPUEngine: InferenceEngine, NamedEngine, PrefixRestoringEngine, DeviceResidentEngine, @unchecked Sendable {
    /// Its `deviceMemoryBytes` follows the model when it is re-placed on other cards.
    public var descriptor: ModelDescriptor { described.withLock { $0 } }
    private let described: Mutex<ModelDescriptor>
    /// The first card: the one holding layer 0 (the only one for a model that fits on a card).
    public var device: AXCLDevice { cards[0].device }
    public let package: NPUModelPackage
    public let shapes: LayerShapePlan
    public let options: NPUEngineOptions
    let embeddings: EmbeddingTable
    /// The first card's status, shared with its other engines and its supervisor.
    public var card: CardHealth { cards[0].health }
    /// Every card the model runs on, in layer order. Replaced only by `move(to:)`, while it holds
    /// the turn, so a call that holds the turn sees one placement throughout.
    var cards: [EngineCard] { placed.withLock { $0 } }
    private let placed: Mutex<[EngineCard]>
    /// Held by a call while it uses the buffers, and by what releases or reloads them.
    private let turn = EngineTurn()
    public let engineName = "npu"

    // Card-thread state.
    /// One stack per card, in layer order; empty once unloaded or released for recovery.
    private var stacks: [LayerStack]
    private var cached = 0
    /// Per card: positions `[0, maskVisible)` of its decode mask are visible.
    private var maskVisible: [Int]
    private var counters = NPUEngineCounters()
    /// The tokens whose rows are in the cache, so that a recovery can compute them again.
    private var cachedTokens: [TokenID] = []
    /// Set by a device fault: the card's handles are stale until the recovery reloads the model.
    private var isStale = false
    /// Set by `unload()`: a recovery of its cards leaves the model unloaded.
    private var isUnloaded = false
    /// The tokens of the prefix last persisted, to write a file only when the shared prefix changes.
    private var persistedTokens: [TokenID] = []
    private lazy var prefixCacheKey = PrefixCacheFile.packageKey(package)
    /// Whether the call in progress decodes one token (for the timing counters).
    private var isDecoding = false
    /// The persisted prefix written back at load, readable without a hop to a card that may be stuck.
    private let restoredAtLoad = Mutex<[TokenID]>([])

    private init(package: NPUModelPackage, cards: [EngineCard], stacks: [LayerStack], embeddings: EmbeddingTable,
                 options: NPUEngineOptions) {
        self.package = package
        placed = Mutex(cards)
        self.stacks = stacks
        maskVisible = Array(repeating: 0, count: stacks.count)
        self.embeddings = embeddings
        self.options = options
        shapes = stacks[0].shapes
        described = Mutex(ModelDescriptor(
            architecture: Self.architecture(of: package.manifest), vocabularySize: package.manifest.vocabularySize,
            contextLength: stacks[0].shapes.capacity, embeddingLength: stacks[0].shapes.hidden,
            layerCount: stacks.reduce(0) { $0 + $1.layers.count }, quantization: Self.quantization(of: package.manifest),
            deviceMemoryBytes: Self.memoryBytes(of: stacks)))
    }

    private static func memoryBytes(of stacks: [LayerStack]) -> Int64 { Int64(stacks.reduce(0) { $0 + $1.cmmUsedKiB }) * 1024 }

    /// Which layers each card holds, in layer order.
    public var placement: [LayerShare] { cards.map(\.share) }

    /// Loads `package` onto `device` (whose engine is initialised, see `NPUCard`). A load that
    /// fails leaves nothing allocated on the card.
    public static func load(_ package: NPUModelPackage, on device: AXCLDevice, options: NPUEngineOptions = NPUEngineOptions())
        async throws -> NPUEngine
    {
        try await load(package, across: [LayerShare(device: device, layers: package.layerFiles.indices)], options: options)
    }

    /// Loads `package` split across cards: `shares` are contiguous layer ranges covering every
    /// layer in order, each on its own card; the post model goes with the last layer. A load
    /// that fails leaves nothing allocated on any card.
    public static func load(_ package: NPUModelPackage, across shares: [LayerShare], options: NPUEngineOptions = NPUEngineOptions())
        async throws -> NPUEngine
    {
        let cards = shares.map { EngineCard(share: $0, health: CardHealth(id: $0.device.id), supervision: nil) }
        return try await load(package, cards: cards, options: options)
    }

    /// A load for supervised cards: faults go to each card's supervisor, and the load and the
    /// engine's calls are watched. A runtime call of the load that overruns the engine timeout
    /// (a model file's load gets more time for its size) wedges its card, naming the call, and the
    /// load fails with the card's error at once (axera.md §5: a card can hang mid-load); if the
    /// call returns after all, what was loaded is released again and the card is recovered.
    static func load(_ package: NPUModelPackage, cards: [EngineCard], options: NPUEngineOptions) async throws -> NPUEngine {
        guard let timeout = cards.first?.supervision?.engineTimeout else { return try await loadUnwatched(package, cards: cards, options: options) }
        let ticket = CallTicket(), model = package.manifest.modelName
        return try await ExecuteWatchdog.run(
            clocks: cards.map(\.clock), timeout: timeout, deadline: loadDeadline(package, timeout: timeout),
            stalled: { stall in
                ticket.abandon()
                return wedge(cards, stall, during: "loading \(model)")
            },
            lateReturn: { for card in cards where card.health.state == .wedged { card.supervision?.lateReturn() } }) {
            let engine = try await loadUnwatched(package, cards: cards, options: options)
            if ticket.isAbandoned {
                // Its caller was told the load failed and nobody holds the engine: nothing of it may stay on the cards.
                try? await engine.unload()
                throw EngineUnavailableError("the load of \(model) was abandoned by the watchdog")
            }
            return engine
        }
    }

    /// A bound on a whole load, for the few calls of it that are not stamped one by one: one
    /// engine timeout per model file and one more, plus the files' load grace.
    static func loadDeadline(_ package: NPUModelPackage, timeout: Double) -> Double {
        let files = package.layerFiles + [package.postModelFile]
        return timeout * Double(files.count + 1) + files.reduce(0) { $0 + LayerStack.loadGrace(of: $1) }
    }

    private static func loadUnwatched(_ package: NPUModelPackage, cards: [EngineCard], options: NPUEngineOptions) async throws -> NPUEngine {
        try checkCoverage(cards.map(\.share.layers), of: package)
        let embeddings = try EmbeddingTable(url: package.embeddingFile, vocabularySize: package.manifest.vocabularySize,
                                            hiddenSize: package.manifest.hiddenSize)
        let stacks = try await loadStacks(package, on: cards, cmmFloorMiB: options.cmmFloorMiB)
        let engine = NPUEngine(package: package, cards: cards, stacks: stacks, embeddings: embeddings, options: options)
        try await engine.resetDecodeMasks()
        await engine.restorePersistedPrefix()
        return engine
    }

    private static func checkCoverage(_ ranges: [Range<Int>], of package: NPUModelPackage) throws {
        let contiguous = zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }
        guard contiguous, ranges.first?.lowerBound == 0, ranges.last?.upperBound == package.layerFiles.count,
              ranges.allSatisfy({ !$0.isEmpty })
        else {
            throw NPUEngineError.invalidPackage(
                directory: package.directory.path,
                reason: "the layer ranges \(ranges) do not cover its \(package.layerFiles.count) layers in order")
        }
    }

    /// Each card's layers loaded on its own thread, the post model on the last card; on any
    /// failure every card's part is released again.
    private static func loadStacks(_ package: NPUModelPackage, on cards: [EngineCard], cmmFloorMiB: Int) async throws -> [LayerStack] {
        var stacks: [LayerStack] = []
        do {
            for (index, card) in cards.enumerated() {
                stacks.append(try await LayerStack.load(package, layers: card.share.layers, withPost: index == cards.count - 1,
                                                        cmmFloorMiB: cmmFloorMiB, clock: card.clock, on: card.device))
                guard stacks[index].shapes == stacks[0].shapes else {
                    throw NPUEngineError.inconsistentLayers(path: package.layerFiles[card.share.layers.lowerBound].path,
                                                            reason: "its shape groups differ from layer 0's")
                }
            }
            return stacks
        } catch {
            // A runtime error is counted on the card it met (the one being loaded); one that
            // leaves the card unhealthy starts its recovery, as during a request.
            if let fault = error as? AXCLError, stacks.count < cards.count { cards[stacks.count].recordFault(fault) }
            await release(stacks, from: cards)
            throw error
        }
    }

    /// Best effort, each card on its own thread; returns the first failure.
    @discardableResult
    private static func release(_ stacks: [LayerStack], from cards: [EngineCard]) async -> AXCLError? {
        var first: AXCLError?
        for (index, stack) in stacks.enumerated() {
            if let error = await release(stack, on: cards[index].device), first == nil { first = error }
        }
        return first
    }

    private static func release(_ stack: LayerStack, on device: isolated AXCLDevice) -> AXCLError? {
        var stack = stack
        return stack.allocations.release(on: device)
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
    /// A split model runs only while every one of its cards takes work.
    public func forward(_ tokens: [TokenID], at position: Int, prefillMode: PrefillMode) async throws -> Logits {
        for card in cards { try card.health.admit() }
        let cards = self.cards, ticket = CallTicket()
        return try await watched(
            ticket: ticket,
            lateReturn: { for card in cards where card.health.state == .wedged { card.supervision?.lateReturn() } }) {
            try await self.turn.run {
                try await self.evaluate(tokens, at: position, mode: prefillMode, record: true, ticket: ticket, on: self.device)
            }
        }
    }

    /// Runs a call on the model's cards under their watchdog (axera.md §7.9): when a call on one
    /// of them has run longer than the engine timeout — this one's execute, or a hung call of
    /// another engine or of a recovery that this one waits behind — the caller is answered with
    /// the wedged card's error instead of waiting on a thread that may never come back. Without
    /// supervision the body just runs.
    /// - Parameter lateReturn: what to do if the abandoned body runs after all; only a call that
    ///   may have hung itself reports that (one that merely waited behind it changes nothing).
    private func watched<T: Sendable>(ticket: CallTicket? = nil, lateReturn: @escaping @Sendable () -> Void = {},
                                      _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let timeout = cards[0].supervision?.engineTimeout else { return try await body() }
        let cards = self.cards
        return try await ExecuteWatchdog.run(
            clocks: cards.map(\.clock), timeout: timeout,
            stalled: { stall in
                ticket?.abandon()
                return Self.wedge(cards, stall)
            },
            lateReturn: lateReturn, body)
    }

    /// Marks the card whose call overran wedged (counted once, by the call that found it) and
    /// returns the error its requests get from now on. The detail names the call when it was
    /// stamped with a name, and `work` (e.g. `loading <model>`) when it is given.
    static func wedge(_ cards: [EngineCard], _ stall: Stall, during work: String? = nil) -> EngineUnavailableError {
        // The card whose call overran; the others wait for it.
        let hung = cards[stall.card ?? 0]
        let call = stall.call.map { "the call \($0)" } ?? "an engine call"
        let detail = (work.map { "\($0): " } ?? "") + "\(call) did not return within \(seconds(stall.seconds)); the card is wedged. "
            + "It recovers by itself if the call ever returns; otherwise restart axllama, and if that does not help, "
            + "reboot the card (axcl-smi reboot) or power-cycle it"
        if hung.health.transition(to: .wedged, detail: detail, from: [.ready, .degraded, .recovering]) {
            hung.health.recordFault("timeout")
            hung.supervision?.wedged(detail)
        }
        return EngineUnavailableError(hung.health.unavailableReason)
    }

    /// To a tenth of a second: a file's load grace adds a few milliseconds to the timeout.
    static func seconds(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return tenths == tenths.rounded() ? "\(Int(tenths)) s" : String(format: "%.1f s", tenths)
    }

    /// Under the watchdog: behind a hung call the caller goes on at once (the request then gets
    /// the wedged card's error); the truncation still applies whenever the card's thread gets to
    /// it, which keeps the engine's cached tokens equal to the session's.
    public func truncateCache(to length: Int) async {
        _ = try? await watched { await self.turn.run { await self.truncate(to: length, on: self.device) } }
    }

    public func embedding(for tokens: [TokenID]) async throws -> [Float] {
        throw NPUEngineError.embeddingsUnsupported
    }

    /// The least healthy of the model's cards.
    public func health() async -> EngineHealth {
        cards.lazy.map(\.health.engineHealth).first { $0.state != .ready } ?? .ready
    }

    /// The persisted prefix written back into the cache at load (empty when none was): what the
    /// session adopts before its first request. Read without touching the cards.
    public func restoredPrefix() async -> [TokenID] { restoredAtLoad.withLock { $0 } }

    // MARK: Inspection

    public func cachedCount() async -> Int { await readCached(on: device) }

    public func counters() async -> NPUEngineCounters { await readCounters(on: device) }

    /// The K and V rows `range` of `layer` as they sit in the cache of the card holding it, in
    /// 16-bit words: bf16 or fp16 values, or two words per fp32 value (`shapes.cacheType`).
    public func cacheRows(layer: Int, range: Range<Int>) async throws -> (keys: [UInt16], values: [UInt16]) {
        guard let index = cards.firstIndex(where: { $0.share.layers.contains(layer) }) else {
            throw NPUEngineError.invalidPackage(directory: package.directory.path, reason: "it has no layer \(layer)")
        }
        return try await readCacheRows(layer: layer, range: range, card: index, on: cards[index].device)
    }

    /// The shape groups of every layer, then of the post model, as the runtime reported them.
    public func ioTables() async throws -> [[ShapeGroup]] {
        try await readIOTables(on: device)
    }

    /// The first card's properties.
    public func deviceProperties() async throws -> DeviceProperties { try await device.properties() }

    /// Releases everything on the cards in the documented order (axera.md §1.8). On a wedged
    /// card this throws the card's error at once instead of waiting for the hung call; the
    /// release then happens if the card's thread ever gets to it.
    public func unload() async throws {
        try await watched {
            try await self.turn.run {
                let released = await self.takeStacks(on: self.device)
                if let error = await Self.release(released, from: self.cards) { throw NPUEngineError.device(error) }
            }
        }
    }

    // MARK: Card-thread work

    private func readCached(on device: isolated AXCLDevice) -> Int { cached }
    private func readIOTables(on device: isolated AXCLDevice) throws -> [[ShapeGroup]] {
        guard !stacks.isEmpty else { throw NPUEngineError.deviceUnavailable("the model was unloaded") }
        // Each card lists its layers, the last one then its post model: together, layers in order then the post model.
        return stacks.flatMap(\.ioTables)
    }
    private func readCounters(on device: isolated AXCLDevice) -> NPUEngineCounters { counters }

    /// Hands the stacks over for release; the engine is unloaded from here on.
    private func takeStacks(on device: isolated AXCLDevice) -> [LayerStack] {
        let taken = stacks
        stacks = []
        cached = 0
        cachedTokens = []
        isUnloaded = true
        return taken
    }

    /// A truncation keeps what the previous and the next request share: with an installation's
    /// fixed system prompt that is the system prompt, which is then persisted when configured.
    /// A kept prefix that only extends the persisted one (the next turn of a conversation) is
    /// not written again.
    private func truncate(to length: Int, on device: isolated AXCLDevice) async {
        let kept = min(cachedTokens.count, max(0, length))
        cachedTokens.removeSubrange(kept...)
        guard !isStale else { return }
        cached = min(cached, kept)
        let extendsPersisted = !persistedTokens.isEmpty && kept >= persistedTokens.count && cachedTokens.starts(with: persistedTokens)
        if kept >= options.minimumPersistedPrefix, kept == cached, !extendsPersisted {
            await persistPrefix(on: device)
        }
    }

    private func persistPrefix(on device: isolated AXCLDevice) async {
        guard let directory = options.prefixCacheDirectory, !stacks.isEmpty else { return }
        do {
            var keys: [[UInt16]] = [], values: [[UInt16]] = []
            for index in cards.indices {
                let rows = try await readLayerRows(count: cached, card: index, on: cards[index].device)
                keys += rows.keys
                values += rows.values
            }
            try PrefixCacheFile(tokens: cachedTokens, kvWidth: cacheRowWords, keys: keys, values: values)
                .write(in: directory, packageKey: prefixCacheKey)
            persistedTokens = cachedTokens
            counters.prefixCacheWrites += 1
            counters.prefixCacheError = nil
        } catch {
            counters.prefixCacheError = "writing the prefix cache in \(directory.path) failed: \(error)"
        }
    }

    /// The first `count` K and V rows of every layer on card `index`.
    private func readLayerRows(count: Int, card index: Int, on device: isolated AXCLDevice) throws -> (keys: [[UInt16]], values: [[UInt16]]) {
        var keys: [[UInt16]] = [], values: [[UInt16]] = []
        for layer in stacks[index].layers {
            keys.append(try device.read(UInt16.self, count: count * cacheRowWords, from: layer.keys.address))
            values.append(try device.read(UInt16.self, count: count * cacheRowWords, from: layer.values.address))
        }
        return (keys, values)
    }

    /// A cache row in 16-bit words, as the persisted prefix and `cacheRows` carry it: a row's
    /// bytes whatever the cache's data type (two words per fp32 element).
    private var cacheRowWords: Int { shapes.cacheRowBytes / 2 }

    private func restorePersistedPrefix() async { await restorePersisted(matching: nil, on: device) }

    /// Writes a persisted prefix's rows into the caches. With `matching`, only a prefix of those
    /// tokens is used (a recovery restores what the session above expects); otherwise the file's
    /// tokens become the cache. Returns the positions restored.
    @discardableResult
    private func restorePersisted(matching expected: [TokenID]?, on device: isolated AXCLDevice) async -> Int {
        guard let directory = options.prefixCacheDirectory, !stacks.isEmpty, cached == 0,
              let file = PrefixCacheFile.read(in: directory, packageKey: prefixCacheKey, layers: descriptor.layerCount,
                                              kvWidth: cacheRowWords, capacity: shapes.capacity)
        else { return 0 }
        if let expected, !(file.tokens.count <= expected.count && expected.starts(with: file.tokens)) { return 0 }
        do {
            for index in cards.indices {
                try await writeLayerRows(file, card: index, on: cards[index].device)
            }
        } catch {
            return 0
        }
        cached = file.tokens.count
        if expected == nil {
            cachedTokens = file.tokens
            restoredAtLoad.withLock { $0 = file.tokens }
        }
        persistedTokens = file.tokens
        counters.prefixCacheRestoredPositions += file.tokens.count
        return file.tokens.count
    }

    private func writeLayerRows(_ file: PrefixCacheFile, card index: Int, on device: isolated AXCLDevice) throws {
        for (offset, layer) in stacks[index].layers.enumerated() {
            let global = stacks[index].layerRange.lowerBound + offset
            try device.write(file.keys[global], to: layer.keys.address)
            try device.write(file.values[global], to: layer.values.address)
        }
    }

    /// - Parameter record: whether the tokens join `cachedTokens` (false when a recovery
    ///   computes them again).
    /// - Parameter ticket: when the watchdog abandoned the call, it changes nothing.
    private func evaluate(_ tokens: [TokenID], at position: Int, mode: PrefillMode, record: Bool, ticket: CallTicket? = nil,
                          on device: isolated AXCLDevice) async throws -> Logits {
        if ticket?.isAbandoned == true { throw EngineUnavailableError("the call was abandoned by the watchdog") }
        if isStale { throw EngineUnavailableError("the NPU card \(card.snapshot.name) is recovering from a fault") }
        guard !stacks.isEmpty else { throw NPUEngineError.deviceUnavailable("the model was unloaded") }
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
        // The card of the work in progress, which a fault is put down to.
        var current = 0
        do {
            var lastChunkRow: (group: Int, row: Int)?
            for step in plan.steps {
                for index in cards.indices {
                    current = index
                    try await run(step, of: tokens, card: index, on: cards[index].device)
                }
                if case let .chunk(group, _, count, _) = step { lastChunkRow = (group.index, count - 1) } else { lastChunkRow = nil }
            }
            current = cards.count - 1
            logits = try await runPost(lastChunkRow: lastChunkRow, on: cards[current].device)
        } catch {
            throw classifyFault(error, card: current, on: device)
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

    /// Every AXCL error is counted by kind on the card it happened on. One that leaves the card
    /// unhealthy (axera.md §7.9) makes the engine stale — on every card, for a split model — and
    /// hands that card to recovery; any other fails this call only, with the cache as it was
    /// before it (rows beyond `cached` are rewritten by the next call).
    private func classifyFault(_ error: AXCLError, card index: Int, on device: isolated AXCLDevice) -> NPUEngineError {
        // Unhealthy: the handles are stale until a recovery reloads the model (never, on a card nobody supervises).
        if cards[index].recordFault(error) { isStale = true }
        return NPUEngineError.device(error)
    }

    /// One step of the plan through the layers card `index` holds. Its input rows are on the
    /// host: the embedding rows for the first card, the rows the previous card handed over for
    /// the others; a card before the last hands its output rows to the next one's staging (D2H
    /// here, H2D there: cards share no memory, axera.md §1.6).
    private func run(_ step: PrefillPlan.Step, of tokens: [TokenID], card index: Int, on device: isolated AXCLDevice) throws(AXCLError) {
        let stack = stacks[index]
        let buffers: GroupBuffers, rows: Int
        switch step {
        case let .chunk(group, offset, count, history):
            try runChunk(tokens[offset ..< offset + count], group: group, history: history, card: index, on: device)
            (buffers, rows) = (stack.groups[group.index]!, count)
        case let .single(offset, position):
            try runSingle(tokens[offset], at: position, card: index, on: device)
            (buffers, rows) = (stack.decodeBuffers, 1)
        }
        if index + 1 < stacks.count {
            try device.copy(stack.outputBuffer(of: buffers).address, to: stacks[index + 1].staging.embeddings,
                            byteCount: rows * shapes.activationRowBytes)
        }
    }

    /// One token through the decode group of every layer on card `index` (axera.md §3.7).
    private func runSingle(_ token: TokenID, at position: Int, card index: Int, on device: isolated AXCLDevice) throws(AXCLError) {
        let stack = stacks[index]
        let buffers = stack.decodeBuffers, staging = stack.staging
        let rowBytes = shapes.cacheRowBytes
        if index == 0 { embeddings.writeRow(token, as: shapes.activationType, to: staging.embeddings.pointer) }
        try device.copy(staging.embeddings, to: buffers.hidden[0].address, byteCount: shapes.activationRowBytes)
        staging.indices.pointer.storeBytes(of: UInt32(position), as: UInt32.self)
        try device.copy(staging.indices, to: buffers.indices.address, byteCount: 4)
        try syncDecodeMask(visible: position, card: index, on: device)
        let group = shapes.decodeGroup, clock = cards[index].clock
        for layer in stack.layers {
            try timedExecute(layer.model, layer.context, group: group, io: layer.ios[group], clock: clock, on: device)
            try device.copy(buffers.keysOut.address, to: layer.keys.address(at: position * rowBytes), byteCount: rowBytes)
            try device.copy(buffers.valuesOut.address, to: layer.values.address(at: position * rowBytes), byteCount: rowBytes)
        }
        counters.executes += stack.layers.count
        if index == 0 { counters.decodeSteps += 1 }
    }

    /// Up to one chunk of tokens through the prefill group of every layer on card `index` (axera.md §3.6).
    private func runChunk(_ tokens: ArraySlice<TokenID>, group: LayerShapePlan.PrefillGroup, history cachedRows: Int,
                          card index: Int, on device: isolated AXCLDevice) throws(AXCLError) {
        let stack = stacks[index]
        let buffers = stack.groups[group.index]!, staging = stack.staging
        let n = tokens.count, rowBytes = shapes.cacheRowBytes, hiddenBytes = shapes.activationRowBytes
        MaskRows.fillChunk(staging.mask.pointer, type: shapes.maskType, chunk: group.chunk, history: group.history,
                           cached: cachedRows, realRows: n)
        try device.copy(staging.mask, to: buffers.mask.address, byteCount: buffers.mask.byteCount)
        let indices = staging.indices.pointer.assumingMemoryBound(to: UInt32.self)
        for i in 0 ..< group.chunk { indices[i] = i < n ? UInt32(cachedRows + i) : 0 }
        try device.copy(staging.indices, to: buffers.indices.address, byteCount: group.chunk * 4)
        if index == 0 {
            for (i, token) in tokens.enumerated() {
                embeddings.writeRow(token, as: shapes.activationType, to: staging.embeddings.pointer + i * hiddenBytes)
            }
        }
        (staging.embeddings.pointer + n * hiddenBytes).initializeMemory(as: UInt8.self, repeating: 0, count: (group.chunk - n) * hiddenBytes)
        try device.copy(staging.embeddings, to: buffers.hidden[0].address, byteCount: group.chunk * hiddenBytes)
        let clock = cards[index].clock
        for layer in stack.layers {
            try timedExecute(layer.model, layer.context, group: group.index, io: layer.ios[group.index], clock: clock, on: device)
            try device.copy(buffers.keysOut.address, to: layer.keys.address(at: cachedRows * rowBytes), byteCount: n * rowBytes)
            try device.copy(buffers.valuesOut.address, to: layer.values.address(at: cachedRows * rowBytes), byteCount: n * rowBytes)
        }
        counters.executes += stack.layers.count
        if index == 0 { counters.prefillChunks += 1 }
    }

    private func timedExecute(_ model: EngineModel, _ context: EngineContext, group: Int, io: EngineIO, clock: ExecuteClock,
                              on device: isolated AXCLDevice) throws(AXCLError) {
        let started = DispatchTime.now().uptimeNanoseconds
        clock.begin()
        defer {
            clock.end()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            counters.executeSeconds += seconds
            if isDecoding { counters.decodeExecuteSeconds += seconds }
        }
        try device.execute(model, context: context, group: group, io: io)
    }

    /// The post model on the last card. After a chunk, its last real row is moved into the
    /// decode group's hidden buffer that the post model reads.
    private func runPost(lastChunkRow: (group: Int, row: Int)?, on device: isolated AXCLDevice) throws(AXCLError) -> Logits {
        let stack = stacks[stacks.count - 1]
        let post = stack.post!, logitsStaging = stack.staging.logits!
        if let (group, row) = lastChunkRow {
            let from = stack.outputBuffer(of: stack.groups[group]!).address(at: row * shapes.activationRowBytes)
            try device.copy(from, to: stack.outputBuffer(of: stack.decodeBuffers).address, byteCount: shapes.activationRowBytes)
        }
        try timedExecute(post.model, post.context, group: 0, io: post.io, clock: cards[cards.count - 1].clock, on: device)
        counters.executes += 1
        let count = embeddings.vocabularySize
        try device.copy(post.logits.address, to: logitsStaging, byteCount: count * post.logitsType.byteWidth)
        return Logits(post.logitsType.decode(logitsStaging.pointer, count: count))
    }

    /// Brings card `index`'s decode mask to `visible` visible positions, writing only the
    /// positions that changed.
    private func syncDecodeMask(visible: Int, card index: Int, on device: isolated AXCLDevice) throws(AXCLError) {
        let stack = stacks[index], shown = maskVisible[index]
        guard visible != shown else { return }
        let type = shapes.maskType
        let (start, count, bits) = visible > shown
            ? (shown, visible - shown, UInt32(0))
            : (visible, shown - visible, type.maskedBits)
        type.fill(stack.staging.mask.pointer, count: count, bits: bits)
        try device.copy(stack.staging.mask, to: stack.decodeBuffers.mask.address(at: start * type.byteWidth),
                        byteCount: count * type.byteWidth)
        maskVisible[index] = visible
    }

    private func resetDecodeMasks() async throws {
        for index in cards.indices { try await resetDecodeMask(card: index, on: cards[index].device) }
    }

    /// All cache positions masked; the last column, the token's own slot, visible (axera.md §3.7).
    private func resetDecodeMask(card index: Int, on device: isolated AXCLDevice) throws {
        guard index < stacks.count else { return }
        let stack = stacks[index], capacity = shapes.capacity
        let type = shapes.maskType
        type.fill(stack.staging.mask.pointer, count: capacity, bits: type.maskedBits)
        type.fill(stack.staging.mask.pointer + capacity * type.byteWidth, count: 1, bits: 0)
        try device.copy(stack.staging.mask, to: stack.decodeBuffers.mask.address, byteCount: (capacity + 1) * type.byteWidth)
        maskVisible[index] = 0
    }

    // MARK: Recovery (driven by each card's CardSupervisor)

    /// Frees what the model held on all its cards, best effort: after a reboot the handles are already gone.
    func releaseForRecovery() async {
        await turn.run { await releaseStale() }
    }

    private func releaseStale() async {
        let stale = await markStale(on: device)
        await Self.release(stale, from: cards)
    }

    /// Loads the package again and computes the cached tokens again, so that the next request
    /// finds the prefix it expects (the session above still holds the same tokens). A split
    /// model needs all its cards: while another of them is still down, it stays released, and
    /// that card's own recovery reloads it.
    /// - Parameter recovered: the card whose recovery asks (it is still `recovering` itself).
    func reloadAfterRecovery(of recovered: DeviceID) async throws {
        try await turn.run {
            guard await !wasUnloaded(on: device) else { return }
            await releaseStale()
            if cards.contains(where: { $0.device.id != recovered && !$0.health.acceptsWork }) { return }
            try await reload(on: device)
        }
    }

    private func wasUnloaded(on device: isolated AXCLDevice) -> Bool { isUnloaded }

    /// Whether `unload()` released the model for good (an evicted model is not moved anywhere).
    func isUnloadedForGood() async -> Bool {
        var unloaded = false
        await turn.run { unloaded = await wasUnloaded(on: device) }
        return unloaded
    }

    /// Moves the model onto `newCards` (layer ranges covering every layer in order) after one of
    /// its cards failed for good: what it held on its old cards is released (best effort: the
    /// failed card may refuse), the package is loaded on the new ones, and the cached tokens are
    /// restored, as a recovery does, so the session above finds the prefix it expects. When the
    /// load or the restoring fails nothing of it stays on the new cards and the model stays
    /// where it was, released and unavailable. Watched as a first load is: a call on a new card
    /// that never returns wedges that card, and the move fails at once.
    func move(to newCards: [EngineCard]) async throws {
        try Self.checkCoverage(newCards.map(\.share.layers), of: package)
        guard let timeout = newCards.first?.supervision?.engineTimeout else { return try await moveUnwatched(to: newCards, ticket: nil) }
        let ticket = CallTicket(), model = package.manifest.modelName
        try await ExecuteWatchdog.run(
            clocks: newCards.map(\.clock), timeout: timeout, deadline: Self.loadDeadline(package, timeout: timeout),
            stalled: { stall in
                ticket.abandon()
                return Self.wedge(newCards, stall, during: "moving \(model)")
            },
            lateReturn: { for card in newCards where card.health.state == .wedged { card.supervision?.lateReturn() } }) {
            try await self.moveUnwatched(to: newCards, ticket: ticket)
        }
    }

    /// - Parameter ticket: when the watchdog abandoned the move, it is undone if it ever completes.
    private func moveUnwatched(to newCards: [EngineCard], ticket: CallTicket?) async throws {
        try await turn.run {
            guard await !wasUnloaded(on: device) else { throw NPUEngineError.deviceUnavailable("the model was unloaded") }
            await releaseStale()
            let fresh = try await loadMatching(on: newCards)
            let oldCards = placed.withLock { cards in
                defer { cards = newCards }
                return cards
            }
            do {
                try await install(fresh, on: device)
                if ticket?.isAbandoned == true { throw EngineUnavailableError("the move of \(package.manifest.modelName) was abandoned by the watchdog") }
            } catch {
                // Computing the cached prompt failed on a new card, or the caller gave up: give the new cards back.
                await releaseStale()
                placed.withLock { $0 = oldCards }
                throw error
            }
        }
    }

    private func markStale(on device: isolated AXCLDevice) -> [LayerStack] {
        isStale = true
        let stale = stacks
        stacks = []
        cached = 0
        maskVisible = Array(repeating: 0, count: cards.count)
        return stale
    }

    private func reload(on device: isolated AXCLDevice) async throws {
        try await install(try await loadMatching(on: cards), on: device)
    }

    /// The package loaded afresh on `cards`, released again if its shape groups are not the ones
    /// the session above was planned with.
    private func loadMatching(on cards: [EngineCard]) async throws -> [LayerStack] {
        let fresh = try await Self.loadStacks(package, on: cards, cmmFloorMiB: options.cmmFloorMiB)
        guard fresh[0].shapes == shapes else {
            await Self.release(fresh, from: cards)
            throw NPUEngineError.inconsistentLayers(path: package.directory.path, reason: "the reloaded package has other shape groups")
        }
        return fresh
    }

    /// Takes freshly loaded stacks (on the current cards) and brings the cache back to the
    /// tokens the session above expects: the persisted rows written back where they match, the
    /// rest computed again.
    private func install(_ fresh: [LayerStack], on device: isolated AXCLDevice) async throws {
        stacks = fresh
        cached = 0
        maskVisible = Array(repeating: 0, count: fresh.count)
        isStale = false
        described.withLock { $0.deviceMemoryBytes = Self.memoryBytes(of: fresh) }
        try await resetDecodeMasks()
        let restored = await restorePersisted(matching: cachedTokens, on: device)
        if restored < cachedTokens.count {
            _ = try await evaluate(Array(cachedTokens[restored...]), at: restored, mode: options.prefillMode, record: false, on: device)
        }
    }

    private func readCacheRows(layer: Int, range: Range<Int>, card index: Int, on device: isolated AXCLDevice) throws
        -> (keys: [UInt16], values: [UInt16])
    {
        guard index < stacks.count else { throw NPUEngineError.deviceUnavailable("the model was unloaded") }
        let stack = stacks[index]
        let rowBytes = shapes.cacheRowBytes, count = range.count * cacheRowWords
        let held = stack.layers[layer - stack.layerRange.lowerBound]
        let keys = try device.read(UInt16.self, count: count, from: held.keys.address(at: range.lowerBound * rowBytes))
        let values = try device.read(UInt16.self, count: count, from: held.values.address(at: range.lowerBound * rowBytes))
        return (keys, values)
    }
}
