import AXCL

/// One decoder layer on the card: its engine, one IO per shape group, and the layer's K/V cache
/// buffers, which every group of the layer binds (axera.md §3.5, §7.5).
struct LoadedLayer: Sendable {
    let model: EngineModel
    let context: EngineContext
    /// Indexed by shape-group index.
    let ios: [EngineIO]
    let keys: DeviceBuffer
    let values: DeviceBuffer
}

/// Buffers of one shape group, shared by all layers: each layer's IO of this group binds them.
/// Every buffer has exactly the group's size and is bound whole, never at an offset
/// (axera.md §1.7 field reports). The hidden state ping-pongs: layer l reads `hidden[l % 2]` and
/// writes `hidden[(l + 1) % 2]`, so a layer never reads the buffer it writes (axera.md §7.5).
struct GroupBuffers: Sendable {
    let rows: Int
    let indices: DeviceBuffer
    let mask: DeviceBuffer
    let hidden: [DeviceBuffer]
    let keysOut: DeviceBuffer
    let valuesOut: DeviceBuffer
}

/// The post model (final norm + LM head, axera.md §3.4). Its input is the decode group's hidden
/// buffer that the last layer writes, so decoding needs no copy before it.
struct LoadedPost: Sendable {
    let model: EngineModel
    let context: EngineContext
    let io: EngineIO
    let logits: DeviceBuffer
    /// bf16 in the vendor's packages (axera.md §3.4); read from the model's IO info.
    let logitsType: FloatIOType
    let vocabularySize: Int
}

/// Pinned host staging for every hot copy (axera.md §1.6, §7.5).
struct HostStaging: Sendable {
    /// chunk rows × hidden in the layers' activation type: the first card's embedding rows, or
    /// the hidden rows the previous card of a split model handed over.
    let embeddings: PinnedHostBuffer
    let indices: PinnedHostBuffer      // chunk × uint32
    let mask: PinnedHostBuffer         // the largest mask of any group
    let logits: PinnedHostBuffer?      // vocabulary logits in the post model's data type, where the post model is
}
