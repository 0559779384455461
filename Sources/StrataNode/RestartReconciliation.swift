import StrataCluster

/// What a restarted coordinator does not know: the persisted map is written when membership
/// changes, not on every acknowledged write, so its slots' high-water sequences may be behind
/// the writes acknowledged before the restart. A slot that may hold data is "unconfirmed"
/// until enough of its replicas (as of the persisted map) have reported their positions that
/// every possible write quorum is among them: n - W + 1 of its n replicas, since any W of n
/// intersect any n - W + 1. Until then its writes are refused (a lagging replica would
/// otherwise pass the high-water check and accept writes over a hole) and answers that read
/// it say it may be stale (instead of looking complete). If too many of those replicas never
/// come back, the slot stays unconfirmed -- as it would stay unavailable without a restart.
///
/// Pure: map and reports in, slots out.
struct RestartReconciliation: Sendable {
    /// Per unconfirmed slot: its replicas before the restart and how many must report.
    private var waiting: [Int: (replicas: Set<WorkerID>, needed: Int)] = [:]

    /// Nothing to confirm (a new cluster).
    init() {}

    /// The slots that may hold data (a high-water mark or a reserved sequence range), each
    /// waiting for n - W + 1 of the n workers that may hold it.
    init(restoring map: ClusterMap, ceilings: [Int: UInt64], quorum: WriteQuorum) {
        // W as the map last required it (W = 1 when no worker was live: the safe assumption).
        let w = quorum.required(replicationFactor: max(1, map.targetReplicaCount))
        for slot in map.slots.indices where map.slots[slot].sequence > 0 || (ceilings[slot] ?? 0) > 0 {
            // Whoever may hold the slot: its replicas, and any worker with a position in it (the
            // replica list is empty when every worker was dead).
            let holders = Set(map.slots[slot].replicas).union(map.workers.values.filter { $0.positions[slot] != nil }.map(\.id))
            waiting[slot] = (holders, max(1, holders.count - min(holders.count, w) + 1))
        }
    }

    var unconfirmed: Set<Int> { Set(waiting.keys) }

    func contains(_ slot: Int) -> Bool { waiting[slot] != nil }

    /// Drops the slots whose replicas have now reported enough.
    mutating func confirm(reported: Set<WorkerID>) {
        guard !waiting.isEmpty else { return }
        waiting = waiting.filter { _, entry in entry.replicas.intersection(reported).count < entry.needed }
    }
}
