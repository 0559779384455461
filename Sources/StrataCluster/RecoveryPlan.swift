/// The outcome of one planning round: the next map and what changed on the way.
public struct RecoveryPlan: Sendable, Equatable {
    /// A (slot, worker) pair.
    public struct SlotReplica: Sendable, Equatable, Hashable {
        public var slot: Int
        public var worker: WorkerID

        public init(slot: Int, worker: WorkerID) {
            self.slot = slot
            self.worker = worker
        }
    }

    /// The map to persist and serve from now on.
    public var map: ClusterMap
    /// Copies started this round (each appears as a FETCH directive for its target).
    public var started: [SlotTransfer]
    /// Copies found complete this round (their target reached the slot's high-water sequence).
    public var completed: [SlotTransfer]
    /// Copies abandoned (source or target died, or the target is no longer wanted there).
    public var cancelled: [SlotTransfer]
    /// Workers that became serving replicas of a slot.
    public var promoted: [SlotReplica]
    /// Workers that stopped serving a slot because they died or became unreachable.
    public var removed: [SlotReplica]
    /// Workers told to DROP a slot this round (always after its new replicas caught up).
    public var dropped: [SlotReplica]
    /// Every reachable worker's complete directive set under the new map.
    public var directives: [WorkerID: [SlotDirective]]

    /// True when the round changed nothing and nothing is in flight: no copies, and no DROP
    /// waiting on a reachable worker (one waiting on a dead worker is carried out if it returns).
    public var isQuiescent: Bool {
        started.isEmpty && completed.isEmpty && cancelled.isEmpty && promoted.isEmpty && removed.isEmpty
            && dropped.isEmpty
            && map.slots.allSatisfy { slot in
                slot.transfers.isEmpty && !slot.dropping.contains { map.isReachable($0.worker) }
            }
    }
}
