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

    /// Every Strata warm tier on this machine, as `strata-worker --list-warm-tiers` prints it
    /// (a table, or JSON with `json`).
    public static func warmTierListing(json: Bool) -> String {
        let segments = WarmSegments.list()
        return json ? WarmTierListing.json(segments) : WarmTierListing.table(segments)
    }

    /// Removes the warm tiers whose data directory is gone or names another tier (left by
    /// workers whose data was deleted), never one a process has attached; logs each.
    func reclaimOrphanedWarmTiers() {
        for segment in WarmSegments.reclaimOrphans() {
            runtime.logger.info("reclaimed an orphaned warm tier", metadata: [
                "segment": "\(segment.name)", "bytes": "\(segment.allocatedBytes)", "owner": "\(segment.owner?.node ?? "")",
                "reason": "\(segment.state.reason)",
            ])
        }
    }
}
