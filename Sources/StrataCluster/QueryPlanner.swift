/// Picks one replica per slot for a query: one RPC per worker covering all its slots.
///
/// Up-to-date replicas come first, then live before suspect; among equals the slot goes to the
/// worker with the least work so far (its slots in this plan plus the caller's `load` hint),
/// then to the better placement rank, then by id, so the plan is deterministic and spread
/// evenly. Slots with the fewest choices are assigned first so that balancing has room.
///
/// A query that lost a worker mid-way (it refused the call, failed, or did not answer within
/// the hedge delay) plans the same way for that worker's slots with the workers it already
/// tried `excluding`: the slots go to other replicas, and only slots with none left are missing.
public enum QueryPlanner {
    public static func plan(
        _ map: ClusterMap, load: [WorkerID: Int] = [:], slots: [Int]? = nil, excluding: Set<WorkerID> = []
    ) -> QueryPlan {
        var assignments: [WorkerID: [Int]] = [:]
        var assigned: [WorkerID: Int] = [:]
        var missing: [Int] = []
        var stale: [Int] = []

        let wanted = slots?.filter { map.slots.indices.contains($0) } ?? Array(0..<map.slotCount)
        let choices: [(slot: Int, candidates: [WorkerID])] = wanted.map { slot in
            (slot, map.slots[slot].replicas.filter { map.isReachable($0) && !excluding.contains($0) })
        }
        let ordered = choices.sorted { ($0.candidates.count, $0.slot) < ($1.candidates.count, $1.slot) }
        for (slot, candidates) in ordered {
            guard !candidates.isEmpty else {
                missing.append(slot)
                continue
            }
            var best: (key: (Int, Int, Int, Int, WorkerID), worker: WorkerID)?
            for (rank, worker) in candidates.enumerated() {
                let behind = map.isUpToDate(worker, slot: slot) ? 0 : 1
                let tier = map.workers[worker]?.state == .live ? 0 : 1
                let key = (behind, tier, assigned[worker, default: 0] + load[worker, default: 0], rank, worker)
                if best == nil || key < best!.key { best = (key, worker) }
            }
            let worker = best!.worker
            if !map.isUpToDate(worker, slot: slot) { stale.append(slot) }
            assignments[worker, default: []].append(slot)
            assigned[worker, default: 0] += 1
        }
        for worker in assignments.keys { assignments[worker]!.sort() }
        return QueryPlan(assignments: assignments, missingSlots: missing.sorted(), staleSlots: stale.sorted())
    }
}
