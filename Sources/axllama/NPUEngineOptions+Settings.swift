import NPUEngine
import Server

extension NPUEngineOptions {
    /// The NPU loader's options from the server settings: a load that would leave less than
    /// `AXLLAMA_CMM_FLOOR_MIB` of CMM free is refused by the loader's CMM guard.
    init(settings: ServerSettings) {
        self.init(cmmFloorMiB: settings.operations.thresholds.cmmFloorMiB)
    }
}
