import StrataCluster
import StrataMetrics

extension CoordinatorNode {
    /// The cluster map's health and the slot copies in flight, as the metrics module takes them
    /// (sampled at each scrape, the same numbers `strata status` shows).
    func clusterGauges() -> ClusterGauges {
        let status = membership.snapshot().status
        return ClusterGauges(
            slotCount: status.slotCount, targetReplicas: status.targetReplicas,
            liveWorkers: status.liveWorkers, suspectWorkers: status.suspectWorkers, deadWorkers: status.deadWorkers,
            drainingWorkers: status.drainingWorkers, slotsFullyReplicated: status.fullyReplicated,
            slotsUnderReplicated: status.underReplicated, slotsUnavailable: status.unavailable,
            recoveryTransfers: status.recoveryTransfers, rebalanceTransfers: status.rebalanceTransfers,
            transfers: membership.transfers().map {
                ClusterGauges.Transfer(slot: Int($0.slot), recordsCopied: $0.recordsCopied, recordsNeeded: $0.recordsTotal)
            })
    }
}
