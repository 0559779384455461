import StrataCore
import StrataStore

extension WorkerNode {
    /// Removes the warm tier that the worker of `config` left in shared memory (a graceful
    /// stop keeps it for a fast restart; `strata-worker --remove-warm-tier`). Refused with
    /// `failedPrecondition` while a worker has it attached. Returns the shared-memory name and
    /// whether there was one.
    public static func removeWarmTier(config: StrataConfig) throws(StrataError) -> (name: String, removed: Bool) {
        try ChunkStore.removeDetachedWarmTier(directory: config.node.dataDir + "/store", settings: StoreSettings(config: config))
    }
}
