/// The right to run one request on a resident model. Release it when the request ends (also
/// when it fails or is cancelled); a lease dropped without release is released on deinit.
public final class ModelLease<Model: Sendable>: Sendable {
    public let key: String
    public let model: Model
    /// Nanoseconds spent waiting in the queue and loading, for Ollama's `load_duration`.
    public let waitNanoseconds: UInt64
    /// True when this request had to load the model.
    public let loadedModel: Bool
    private let releaseAction: @Sendable () -> Void
    private let released = ReleaseFlag()

    init(key: String, model: Model, waitNanoseconds: UInt64, loadedModel: Bool, release: @escaping @Sendable () -> Void) {
        self.key = key
        self.model = model
        self.waitNanoseconds = waitNanoseconds
        self.loadedModel = loadedModel
        self.releaseAction = release
    }

    /// Hands the model back to the scheduler; later calls do nothing.
    public func release() {
        if released.set() { releaseAction() }
    }

    deinit { release() }
}

import Synchronization

/// Set-once flag that can be shared across tasks.
final class ReleaseFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    /// True the first time only.
    func set() -> Bool {
        !flag.exchange(true, ordering: .acquiringAndReleasing)
    }
}
