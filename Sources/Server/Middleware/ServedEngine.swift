import HTTPTypes
import Synchronization

/// Which engine answered the request (`npu`, `cpu` or `cpu-fallback`): noted where the model is
/// leased, sent as the `X-Axllama-Engine` response header, so that clients and operators can
/// tell a fallback answer from a normal one without any change to the wire format.
final class ServedEngine: Sendable {
    static let headerName = HTTPField.Name("X-Axllama-Engine")!

    @TaskLocal static var current: ServedEngine?

    private let value = Mutex<String?>(nil)

    var name: String? { value.withLock { $0 } }

    /// Records `name` for the request being handled; no effect outside a request.
    static func note(_ name: String) {
        current?.value.withLock { $0 = name }
    }
}
