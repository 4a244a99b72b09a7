import AXCL

/// Keeps a load from exhausting the card's CMM pool, which crashes the vendor driver stack
/// (axera.md §5, §7.4): it checks the free pool against file sizes before the load, then
/// extrapolates the measured use of the layers loaded so far, as axllm's mem-guard does.
struct CMMGuard {
    /// Left free for the runtime itself (axllm mem_guard_floor_mb default 128, axera.md §3.2).
    let floorKiB: Int
    let freeAtStartKiB: Int

    init(freeKiB: Int, floorMiB: Int) {
        freeAtStartKiB = freeKiB
        floorKiB = floorMiB * 1024
    }

    /// Before anything is loaded: the weights alone must fit.
    func checkBeforeLoad(weightBytes: Int, layerCount: Int) throws {
        let needed = weightBytes / 1024 + floorKiB
        if needed > freeAtStartKiB {
            throw NPUEngineError.insufficientCMM(loadedLayers: 0, totalLayers: layerCount, neededKiB: needed, freeKiB: freeAtStartKiB)
        }
    }

    /// After `loaded` layers: the rest, at the measured cost per layer, plus the post model must fit.
    /// The first layer's cost includes the buffers all layers share; from the second layer on,
    /// the cost per layer is measured without it.
    func checkAfterLayers(loaded: Int, total: Int, freeKiB: Int, freeAfterFirstKiB: Int?, postModelBytes: Int) throws {
        guard loaded > 0 else { return }
        let perLayer = if let freeAfterFirstKiB, loaded > 1 {
            max(0, freeAfterFirstKiB - freeKiB) / (loaded - 1)
        } else {
            max(0, freeAtStartKiB - freeKiB) / loaded
        }
        let needed = perLayer * (total - loaded) + postModelBytes / 1024 + floorKiB
        if needed > freeKiB {
            throw NPUEngineError.insufficientCMM(loadedLayers: loaded, totalLayers: total, neededKiB: needed, freeKiB: freeKiB)
        }
    }
}
