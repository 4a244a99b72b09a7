import AXCL

/// What a decoder layer's shape groups offer, classified as ax-llm does (axera.md §3.4): a group
/// whose `indices` has one element decodes one token against a cache of `capacity` rows (mask
/// `capacity + 1`); the others prefill a chunk of `chunk` rows after up to `history` cached rows
/// (mask `chunk × (history + chunk)`).
public struct LayerShapePlan: Sendable, Equatable {
    public struct PrefillGroup: Sendable, Equatable {
        public let index: Int
        public let chunk: Int
        public let history: Int
    }

    public let decodeGroup: Int
    /// Positions the decode group's cache holds: the context limit.
    public let capacity: Int
    /// Prefill groups by increasing history.
    public let prefillGroups: [PrefillGroup]
    public let hidden: Int
    /// Elements of one cache row: key/value heads × head dimension.
    public let kvWidth: Int
    /// The data types the engines declare (the same in every group, axera.md §1.7): the hidden
    /// state (`input` and `output`, one layer's output being the next one's input), the mask, and
    /// the K/V caches with their new rows (copied into the cache as they are).
    public let activationType: FloatIOType
    public let maskType: FloatIOType
    public let cacheType: FloatIOType

    /// Bytes of one hidden-state row and of one K or V cache row.
    public var activationRowBytes: Int { hidden * activationType.byteWidth }
    public var cacheRowBytes: Int { kvWidth * cacheType.byteWidth }

    static let inputNames = ["K_cache", "V_cache", "indices", "input", "mask"]
    static let outputNames = ["K_cache_out", "V_cache_out", "output"]

    public init(groups: [ShapeGroup], path: String) throws {
        func fail(_ reason: String) -> NPUEngineError { .unsupportedLayerModel(path: path, reason: reason) }
        guard let first = groups.first else { throw fail("it has no shape groups") }
        for name in Self.inputNames where first.input(named: name) == nil { throw fail("it has no input \(name)") }
        for name in Self.outputNames where first.output(named: name) == nil { throw fail("it has no output \(name)") }
        func elements(_ tensor: EngineTensor?) -> Int { tensor?.dimensions.reduce(1, *) ?? 0 }
        var decode: (index: Int, capacity: Int)?
        var prefill: [PrefillGroup] = []
        var hidden = 0, kv = 0
        for group in groups {
            guard let indices = group.input(named: "indices"), let mask = group.input(named: "mask"),
                  let input = group.input(named: "input"), let kOut = group.output(named: "K_cache_out")
            else { throw fail("group \(group.index) lacks a tensor") }
            let rows = elements(indices)
            guard rows > 0, let width = input.dimensions.last, let kvWidth = kOut.dimensions.last else {
                throw fail("group \(group.index) has empty indices or inputs")
            }
            if hidden == 0 { hidden = width; kv = kvWidth }
            guard width == hidden, kvWidth == kv else { throw fail("group \(group.index) changes the hidden or cache width") }
            guard indices.dataType == .uint32 else { throw fail("its indices are \(indices.dataType), not uint32 positions") }
            if rows == 1 {
                // The decode capacity is mask - 1 (ax-llm LLM_init.cpp); keep the largest decode group.
                let capacity = elements(mask) - 1
                if capacity > (decode?.capacity ?? 0) { decode = (group.index, capacity) }
            } else {
                let total = elements(mask) / rows
                guard total * rows == elements(mask), total > rows else { throw fail("group \(group.index) has a mask that is not rows × (history + rows)") }
                prefill.append(PrefillGroup(index: group.index, chunk: rows, history: total - rows))
            }
        }
        guard let decode, decode.capacity > 0 else { throw fail("no group decodes a single token (indices with one element)") }
        let k = groups[decode.index].input(named: "K_cache")!
        guard elements(k) >= decode.capacity * kv else { throw fail("K_cache of the decode group holds fewer rows than its mask") }
        // Data types have no group argument in the runtime's API: group 0 speaks for all.
        func type(_ tensor: EngineTensor) throws -> FloatIOType {
            guard let type = FloatIOType(tensor.dataType) else {
                throw fail("its \(tensor.name) is \(tensor.dataType); the engine exchanges bf16, fp16 or fp32 with layer models")
            }
            return type
        }
        func sameType(_ names: [String]) throws -> FloatIOType {
            let tensors = names.map { first.input(named: $0) ?? first.output(named: $0)! }
            let types = try tensors.map(type)
            guard Set(types).count == 1 else {
                let listed = zip(names, types).map { "\($0) \($1.rawValue)" }.joined(separator: ", ")
                throw fail("\(listed): these tensors are copied into one another as they are, so they must share one data type")
            }
            return types[0]
        }
        activationType = try sameType(["input", "output"])
        maskType = try type(first.input(named: "mask")!)
        cacheType = try sameType(["K_cache", "V_cache", "K_cache_out", "V_cache_out"])
        decodeGroup = decode.index
        capacity = decode.capacity
        prefillGroups = prefill.sorted { $0.history < $1.history }
        self.hidden = hidden
        kvWidth = kv
    }

    /// The prefill chunk size, when every prefill group agrees on one.
    public var chunk: Int? {
        let sizes = Set(prefillGroups.map(\.chunk))
        return sizes.count == 1 ? sizes.first : nil
    }

    /// The smallest prefill group whose history covers `cached` rows (axera.md §3.6 picks the
    /// smallest group that fits).
    public func prefillGroup(afterCached cached: Int) -> PrefillGroup? {
        prefillGroups.first { $0.history >= cached }
    }
}
