import StrataCore

/// What a restarted coordinator does not know: the persisted map is written when membership
/// changes, not on every acknowledged write, so its slots' high-water sequences may be behind
/// the writes acknowledged before the restart. A slot that may hold data is "unconfirmed"
/// until enough of the workers that may hold it have reported their positions that every
/// possible write quorum is among them: n - W + 1 of n, since any W of n intersect any
/// n - W + 1. Until then its writes are refused (a lagging replica would otherwise pass the
/// high-water check and accept writes over a hole) and answers that read it say it may be
/// stale (instead of looking complete). If too many of those workers never come back, the
/// slot stays unconfirmed -- as it would stay unavailable without a restart.
///
/// A slot with a durable acknowledged high-water mark (the control plane commits it before
/// every acknowledgement) needs less: every acknowledged write of the slot is at or below
/// that mark, so one reporting worker whose position reaches it holds them all, and the map's
/// mark (raised to it at the restart) keeps any replica below it from taking writes. Such a
/// slot is confirmed as soon as one worker reports a position at the mark, or when n - W + 1
/// of its holders have reported, whichever comes first. A slot without a durable mark (no
/// write acknowledged since the marks became durable) keeps the quorum rule.
///
/// The slots still waiting are persisted (by the coordinator, `restart-pending.json`) whenever they change: a
/// coordinator that restarts again before they are confirmed must not forget them, because
/// by then its map no longer names the workers that held them.
public struct RestartReconciliation: Sendable, Equatable, Codable {
    /// The workers that may hold a slot, and how many of them must report.
    public struct Waiting: Sendable, Equatable, Codable {
        public var holders: Set<WorkerID>
        public var needed: Int
        /// The slot's durable acknowledged high-water mark, when it has one.
        public var acknowledged: UInt64?
    }

    public private(set) var waiting: [Int: Waiting] = [:]

    /// Nothing to confirm (a new cluster).
    public init() {}

    /// The slots that may hold data (a high-water mark or a reserved sequence range), each
    /// waiting for n - W + 1 of the n workers that may hold it, or for one that reached its
    /// durable acknowledged mark (`acknowledgedMarks`); plus whatever the previous run still
    /// waited for (`pending`), with the marks known now.
    public init(restoring map: ClusterMap, ceilings: [Int: UInt64], quorum: WriteQuorum, pending: RestartReconciliation?,
                acknowledgedMarks: [Int: UInt64] = [:]) {
        // W as the map last required it (W = 1 when no worker was live: the safe assumption).
        let w = quorum.required(replicationFactor: max(1, map.targetReplicaCount))
        for slot in map.slots.indices where map.slots[slot].sequence > 0 || (ceilings[slot] ?? 0) > 0 {
            // Whoever may hold the slot: its replicas, and any worker with a position in it;
            // every worker when the map names none (they were all dead when it was written).
            var holders = Set(map.slots[slot].replicas).union(map.workers.values.filter { $0.positions[slot] != nil }.map(\.id))
            if holders.isEmpty { holders = Set(map.workers.keys) }
            waiting[slot] = Waiting(holders: holders, needed: max(1, holders.count - min(holders.count, w) + 1))
        }
        for (slot, earlier) in pending?.waiting ?? [:] where map.slots.indices.contains(slot) {
            waiting[slot] = earlier
        }
        for slot in waiting.keys {
            if let mark = acknowledgedMarks[slot], mark > 0 { waiting[slot]!.acknowledged = max(waiting[slot]!.acknowledged ?? 0, mark) }
        }
    }

    public var unconfirmed: Set<Int> { Set(waiting.keys) }

    public func contains(_ slot: Int) -> Bool { waiting[slot] != nil }

    /// Drops the slots whose holders have now reported enough, or where a reachable worker
    /// that reported since the restart holds the slot's durable mark (its position in `map`
    /// is what it reported); true when something changed.
    @discardableResult
    public mutating func confirm(reported: Set<WorkerID>, in map: ClusterMap? = nil) -> Bool {
        guard !waiting.isEmpty else { return false }
        let before = waiting.count
        waiting = waiting.filter { slot, entry in
            if let mark = entry.acknowledged, let map,
                reported.contains(where: { map.isReachable($0) && (map.position(of: $0, slot: slot) ?? 0) >= mark })
            {
                return false
            }
            return entry.holders.intersection(reported).count < entry.needed
        }
        return waiting.count != before
    }
}
