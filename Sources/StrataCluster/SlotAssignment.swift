/// The cluster map's record of one slot.
public struct SlotAssignment: Sendable, Equatable, Codable {
    /// The serving replicas, best placement rank first. Writes go to them (and to transfer
    /// targets); queries read one of them. A replica stays here while it is not dead, even if it
    /// lags, so that a suspicion never moves data.
    public var replicas: [WorkerID]
    /// The highest sequence known durable for this slot: the maximum of acknowledged writes
    /// and of positions reported by reachable workers. A worker at this sequence is up to date.
    public var sequence: UInt64
    /// Copies in flight into this slot (at most one per target).
    public var transfers: [SlotTransfer]
    /// Workers told to DROP this slot; an entry stays until the worker stops reporting the slot,
    /// or reports more than the drop allowed (then the drop is void: it held unknown newer data).
    public var dropping: [PendingDrop]

    public init(replicas: [WorkerID] = [], sequence: UInt64 = 0, transfers: [SlotTransfer] = [], dropping: [PendingDrop] = []) {
        self.replicas = replicas
        self.sequence = sequence
        self.transfers = transfers
        self.dropping = dropping
    }
}

extension SlotAssignment {
    /// True when `worker` was told to drop this slot.
    public func isDropping(_ worker: WorkerID) -> Bool {
        dropping.contains { $0.worker == worker }
    }
}
