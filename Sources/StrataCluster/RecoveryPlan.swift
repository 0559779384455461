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
    /// DROPs withdrawn this round before the worker carried them out: the replica that made
    /// them safe died or came back without the slot.
    public var voidedDrops: [SlotReplica] = []
    /// The copy rate every FETCH directive carries.
    public var rateLimitBytesPerSecond: UInt64

    /// The complete directive set for `worker` under the new map (empty for a dead or unknown
    /// worker). Computed on demand: the shell needs it only for the worker it is answering.
    public func directives(for worker: WorkerID) -> [SlotDirective] {
        guard map.isReachable(worker) else { return [] }
        return map.directives(for: worker, rateLimitBytesPerSecond: rateLimitBytesPerSecond)
    }

    /// Every reachable worker's directive set (for the registration burst after a restart).
    public var allDirectives: [WorkerID: [SlotDirective]] {
        var result: [WorkerID: [SlotDirective]] = [:]
        for record in map.workers.values where record.isReachable {
            result[record.id] = directives(for: record.id)
        }
        return result
    }

    /// True when the round changed nothing and nothing is in flight: no copies, and no DROP
    /// waiting on a reachable worker (one waiting on a dead worker is carried out if it returns).
    public var isQuiescent: Bool {
        started.isEmpty && completed.isEmpty && cancelled.isEmpty && promoted.isEmpty && removed.isEmpty
            && dropped.isEmpty && voidedDrops.isEmpty
            && map.slots.allSatisfy { slot in
                slot.transfers.isEmpty && !slot.dropping.contains { map.isReachable($0.worker) }
            }
    }
}
