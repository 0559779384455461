import StrataCluster

/// What a restarted coordinator does not know: the persisted map is written when membership
/// changes, not on every acknowledged write, so its slots' high-water sequences may be behind
/// the writes acknowledged before the restart. Until every replica that may hold a slot has
/// reported its position (or is confirmed dead), the slot is "unconfirmed": its writes are
/// refused (a lagging replica would otherwise pass the high-water check and accept writes over
/// a hole) and answers that read it say it may be stale (instead of looking complete).
///
/// Pure: map and reports in, slots out.
enum RestartReconciliation {
    /// The slots that may hold data: any with a high-water mark or a reserved sequence range.
    static func writtenSlots(_ map: ClusterMap, ceilings: [Int: UInt64]) -> Set<Int> {
        Set(map.slots.indices.filter { map.slots[$0].sequence > 0 || (ceilings[$0] ?? 0) > 0 })
    }

    /// The slots of `unconfirmed` that still wait for a report: some worker that is not dead,
    /// and is a replica of the slot or holds a position in it, has not reported since the start.
    static func stillUnconfirmed(_ unconfirmed: Set<Int>, _ map: ClusterMap, reported: Set<WorkerID>) -> Set<Int> {
        let silent = map.workers.values.filter { $0.state != .dead && !reported.contains($0.id) }
        guard !silent.isEmpty else { return [] }
        return unconfirmed.filter { slot in
            silent.contains { worker in map.slots[slot].replicas.contains(worker.id) || worker.positions[slot] != nil }
        }
    }
}
