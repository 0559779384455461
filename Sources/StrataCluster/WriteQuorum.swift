import StrataCore

/// How many replicas must make a write durable before the client's write is acknowledged.
///
/// W is a majority of the slot's replication factor by default (`writeQuorum == 0`), or a fixed
/// number capped by that factor. The factor used is the larger of the slot's serving replicas
/// and the cluster's target count, so a slot that lost a replica does not quietly lower its bar.
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

    /// True when the distinct acks from members of `replicas` reach W. Acks from workers that are
    /// not serving replicas (copy targets, strangers) and repeated acks do not count.
    public func isAcknowledged(acks: some Sequence<WorkerID>, replicas: [WorkerID], replicationFactor: Int) -> Bool {
        let members = Set(replicas)
        let counted = Set(acks).intersection(members).count
        return counted >= required(replicationFactor: max(replicas.count, replicationFactor))
    }
}

extension ClusterMap {
    /// Whether a write to `slot` acknowledged by `acks` is durable enough to tell the client.
    public func isWriteAcknowledged(slot: Int, acks: some Sequence<WorkerID>, quorum: WriteQuorum) -> Bool {
        quorum.isAcknowledged(acks: acks, replicas: slots[slot].replicas, replicationFactor: targetReplicaCount)
    }
}
