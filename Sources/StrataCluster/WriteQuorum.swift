import StrataCore

/// How many replicas must make a write durable before the client's write is acknowledged.
///
/// W is a majority of the slot's replication factor by default (`writeQuorum == 0`), or a fixed
/// number capped by that factor. The factor used is the larger of the slot's serving replicas
/// and the cluster's target count (`required(servingReplicas:targetReplicaCount:)`, the one
/// rule the coordinator's `SlotReplicator` and the simulation both apply):
/// - a slot that lost a replica does not quietly lower its bar (the target counts);
/// - a slot with more serving replicas than its target (a join or a move: the new replica
///   serves before the planner drops an old one) counts them all, so that dropping any one
///   of them still leaves a majority of the target holding every acknowledged write. With
///   W of the target only, 2 of 4 could acknowledge, and dropping one of those two would
///   leave the write on one replica of three.
public struct WriteQuorum: Sendable, Equatable {
    /// The configured W; 0 means a majority.
    public let configured: Int

    /// Refuses a negative W, naming the field.
    public init(writeQuorum: Int = 0) throws {
        guard writeQuorum >= 0 else {
            throw StrataError.invalidArgument("coordinator.writeQuorum: \(writeQuorum) must be >= 0 (0 = majority)")
        }
        configured = writeQuorum
    }

    /// W from `CoordinatorConfig.writeQuorum`.
    public init(_ config: CoordinatorConfig) throws {
        try self.init(writeQuorum: config.writeQuorum)
    }

    /// Acks needed among `replicationFactor` replicas (at least 1).
    public func required(replicationFactor: Int) -> Int {
        let factor = max(1, replicationFactor)
        return configured == 0 ? factor / 2 + 1 : min(configured, factor)
    }

    /// Acks needed for a slot with `servingReplicas` serving replicas in a cluster whose target
    /// is `targetReplicaCount` (see the type's comment for why the larger counts).
    public func required(servingReplicas: Int, targetReplicaCount: Int) -> Int {
        required(replicationFactor: max(servingReplicas, targetReplicaCount))
    }

    /// True when the distinct acks from members of `replicas` reach W. Acks from workers that are
    /// not serving replicas (copy targets, strangers) and repeated acks do not count.
    public func isAcknowledged(acks: some Sequence<WorkerID>, replicas: [WorkerID], replicationFactor: Int) -> Bool {
        let members = Set(replicas)
        let counted = Set(acks).intersection(members).count
        return counted >= required(servingReplicas: replicas.count, targetReplicaCount: replicationFactor)
    }
}

extension ClusterMap {
    /// Whether a write to `slot` acknowledged by `acks` is durable enough to tell the client.
    public func isWriteAcknowledged(slot: Int, acks: some Sequence<WorkerID>, quorum: WriteQuorum) -> Bool {
        quorum.isAcknowledged(acks: acks, replicas: slots[slot].replicas, replicationFactor: targetReplicaCount)
    }
}
