import StrataCore
import StrataSearch

extension WorkerNode {
    /// The worker's IVF indexes from `worker.ivf_*`, their list files under
    /// `<data_dir>/ivf/` (apart from the search-index snapshots).
    static func vectorIndexes(_ config: StrataConfig) -> SlotVectorIndexes {
        let settings = IVFSettings(minimumVectors: config.worker.ivfMinVectors, listSize: config.worker.ivfListSize,
                                   probes: config.worker.ivfProbes, cacheBytes: config.worker.ivfCacheBytes)
        return SlotVectorIndexes(settings: settings, directory: config.node.dataDir + "/ivf")
    }
}
