/// The coordinator's cluster series: workers by state, slots by replication state, and the
/// progress of the slot copies that restore replication.
///
/// Label values come from fixed sets (states, purposes), never from slot numbers or worker
/// ids, so the number of series stays the same however large the cluster grows.
public enum ClusterSeries {
    public static func samples(_ cluster: ClusterGauges) -> [MetricSample] {
        var samples: [MetricSample] = []
        let workers: [(String, Int)] = [
            ("live", cluster.liveWorkers), ("suspect", cluster.suspectWorkers),
            ("dead", cluster.deadWorkers), ("draining", cluster.drainingWorkers),
        ]
        for (state, count) in workers {
            samples.append(MetricSample("strata_cluster_workers", .gauge, Double(count), labels: [.init("state", state)],
                                        help: "Workers in the cluster map by state (draining workers are also live)."))
        }
        let slots: [(String, Int)] = [
            ("fully_replicated", cluster.slotsFullyReplicated), ("under_replicated", cluster.slotsUnderReplicated),
            ("unavailable", cluster.slotsUnavailable),
        ]
        for (state, count) in slots {
            samples.append(MetricSample("strata_cluster_slots", .gauge, Double(count), labels: [.init("state", state)],
                                        help: "Slots by replication state; the states add up to the slot count."))
        }
        samples.append(MetricSample("strata_cluster_slot_count", .gauge, Double(cluster.slotCount),
                                    help: "Slots in the cluster (fixed at cluster creation)."))
        samples.append(MetricSample("strata_cluster_target_replicas", .gauge, Double(cluster.targetReplicas),
                                    help: "Replicas each slot should have now: the configured count, capped by eligible workers."))
        samples.append(MetricSample("strata_cluster_slots_recovering", .gauge, Double(Set(cluster.transfers.map(\.slot)).count),
                                    help: "Slots with a copy to a new replica in flight."))
        for (purpose, count) in [("recovery", cluster.recoveryTransfers), ("rebalance", cluster.rebalanceTransfers)] {
            samples.append(MetricSample("strata_cluster_transfers_in_flight", .gauge, Double(count), labels: [.init("purpose", purpose)],
                                        help: "Slot copies in flight by purpose."))
        }
        let copied = cluster.transfers.reduce(UInt64(0)) { $0 + $1.recordsCopied }
        let needed = cluster.transfers.reduce(UInt64(0)) { $0 + $1.recordsNeeded }
        samples.append(MetricSample("strata_recovery_records_copied", .gauge, Double(copied),
                                    help: "Records the slot copies in flight have copied so far (summed over copies)."))
        samples.append(MetricSample("strata_recovery_records_needed", .gauge, Double(needed),
                                    help: "Records the slot copies in flight need in all (summed over copies)."))
        return samples
    }
}
