/// A summary of the cluster's health, for `strata status` and metrics.
public struct ClusterStatus: Sendable, Equatable {
    public var mapVersion: UInt64
    public var slotCount: Int
    /// Replicas each slot should have now: min(R, eligible workers).
    public var targetReplicas: Int
    /// Slots with at least `targetReplicas` reachable, up-to-date serving replicas.
    public var fullyReplicated: Int
    /// Slots that can be read but have fewer up-to-date replicas than they should.
    public var underReplicated: Int
    /// Slots with no reachable serving replica: queries report them missing.
    public var unavailable: Int
    /// Slot copies in flight, by purpose.
    public var transfersInProgress: Int
    public var recoveryTransfers: Int
    public var rebalanceTransfers: Int
    /// Workers told to drop a slot that have not done it yet.
    public var pendingDrops: Int
    public var liveWorkers: Int
    public var suspectWorkers: Int
    public var deadWorkers: Int
    public var drainingWorkers: Int
}

extension ClusterMap {
    /// The current health summary.
    public func status() -> ClusterStatus {
        let target = targetReplicaCount
        var status = ClusterStatus(
            mapVersion: version, slotCount: slotCount, targetReplicas: target, fullyReplicated: 0, underReplicated: 0,
            unavailable: 0, transfersInProgress: 0, recoveryTransfers: 0, rebalanceTransfers: 0, pendingDrops: 0,
            liveWorkers: 0, suspectWorkers: 0, deadWorkers: 0, drainingWorkers: 0)
        for (index, slot) in slots.enumerated() {
            let reachable = slot.replicas.filter { isReachable($0) }
            let current = reachable.filter { isUpToDate($0, slot: index) }.count
            if reachable.isEmpty {
                status.unavailable += 1
            } else if current >= target {
                status.fullyReplicated += 1
            } else {
                status.underReplicated += 1
            }
            status.transfersInProgress += slot.transfers.count
            status.recoveryTransfers += slot.transfers.filter { $0.purpose == .recovery }.count
            status.rebalanceTransfers += slot.transfers.filter { $0.purpose == .rebalance }.count
            status.pendingDrops += slot.dropping.count
        }
        for record in workers.values {
            switch record.state {
            case .live: status.liveWorkers += 1
            case .suspect: status.suspectWorkers += 1
            case .dead: status.deadWorkers += 1
            }
            if record.draining { status.drainingWorkers += 1 }
        }
        return status
    }
}
