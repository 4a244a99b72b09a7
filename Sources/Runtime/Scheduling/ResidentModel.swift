/// What `/api/ps` shows about one resident model.
public struct ResidentModel<Model: Sendable>: Sendable {
    public let key: String
    public let model: Model
    /// Wall-clock nanoseconds since 1970 when the model will be unloaded; nil for ever.
    public let expiresAtUnixNanoseconds: Int64?
    public let isBusy: Bool
    public let queued: Int
    public let isPinned: Bool
}
