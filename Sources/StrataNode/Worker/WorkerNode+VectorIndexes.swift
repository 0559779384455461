import Logging
import StrataCore
import StrataSearch

extension WorkerNode {
    /// The worker's IVF indexes from `worker.ivf_*`, their list files under
    /// `<data_dir>/ivf/` (apart from the search-index snapshots).
    /// Builds are logged: "ivf index building", then "ivf index ready" (with its size and how
    /// long it took) or "ivf index not built".
    static func vectorIndexes(_ config: StrataConfig, logger: Logger) -> SlotVectorIndexes {
        let settings = IVFSettings(minimumVectors: config.worker.ivfMinVectors, listSize: config.worker.ivfListSize,
                                   probes: config.worker.ivfProbes, probeScale: config.worker.ivfProbeScale, cacheBytes: config.worker.ivfCacheBytes)
        return SlotVectorIndexes(settings: settings, directory: config.node.dataDir + "/ivf") { report, took in
            let metadata: Logger.Metadata = ["namespace": "\(report.namespace)", "vectors": "\(report.vectors)",
                                             "lists": "\(report.counters.lists)", "took": "\(took)"]
            if report.phase == "building" {
                logger.info("ivf index building", metadata: metadata)
            } else if report.phase == "ready" {
                logger.info("ivf index ready", metadata: metadata)
            } else {
                logger.warning("ivf index not built; the exact scan serves", metadata: metadata.merging(["phase": "\(report.phase)"]) { $1 })
            }
        }
    }
}
