@testable import StrataCluster

/// The simulated coordinators: which one a call reaches, how decisions are carried out
/// against the shared control plane, and the leadership's faults.
extension ClusterSimulation {
    /// The coordinator a worker's or client's call reaches: the leader, or now and then a
    /// deposed leader that has not noticed yet (a worker or client that still knows it).
    mutating func caller() -> Int {
        if let deposed, coordinators[deposed] != nil, Int.random(in: 0..<4, using: &rng) == 0 { return deposed }
        return leader
    }

    /// Feeds `event` to coordinator `index` and commits its decisions under its epoch. Nil when
    /// the coordinator is down, or was deposed (a commit refused: it steps down, as the
    /// production shell does, and answers nothing).
    mutating func handle(_ event: CoordinatorEvent, by index: Int) throws -> [CoordinatorDecision]? {
        guard coordinators[index] != nil else { return nil }
        let before = coordinators[index]!.map
        let waiting = coordinators[index]!.restart.waiting
        let decisions = try coordinators[index]!.handle(event)
        let core = coordinators[index]!
        countConfirmations(waiting, core)
        if index == leader { try checkNewDirectives(before: before, after: core.map) }
        for decision in decisions {
            guard controlPlane.commit(decision, epoch: core.epoch) else {
                counters.deposedCommits += 1
                log("c\(index) (epoch \(core.epoch)) was deposed: its commit is refused")
                notice(index)
                return nil
            }
            if case .commitMap(let committed) = decision {
                for other in coordinators.indices where other != index && coordinators[other]?.role == .follower {
                    _ = try coordinators[other]!.handle(.leaderMapLoaded(committed))
                }
            }
        }
        return decisions
    }

    /// Tallies the slots a restart confirmed: by a worker at the durable mark, or by the
    /// quorum of holders.
    mutating func countConfirmations(_ waiting: [Int: RestartReconciliation.Waiting], _ core: CoordinatorCore) {
        for (slot, entry) in waiting where !core.restart.contains(slot) {
            if entry.holders.intersection(core.reportedSinceStart).count >= entry.needed {
                counters.slotsConfirmedByQuorum += 1
            } else {
                counters.slotsConfirmedByMark += 1
            }
        }
    }

    /// A worker admits a command of `epoch` from coordinator `issuer` only if no newer epoch
    /// has reached it. Records who issued each epoch's accepted commands: two coordinators in
    /// one epoch is a violation.
    mutating func admit(_ epoch: UInt64, from issuer: Int, at id: WorkerID) -> Bool {
        guard let worker = workers[id] else { return false }
        guard epoch >= worker.epoch else {
            counters.commandsFenced += 1
            log("\(id) refuses a command of c\(issuer) at epoch \(epoch) < \(worker.epoch)")
            return false
        }
        workers[id]!.epoch = epoch
        issuers[epoch, default: []].insert(issuer)
        if issuers[epoch]!.count > 1 {
            pendingFailure = pendingFailure ?? "two coordinators acted in epoch \(epoch): \(issuers[epoch]!.sorted())"
        }
        return true
    }

    /// Makes coordinator `index` the leader under a new epoch, from the control plane as it
    /// stands (a crashed one starts again first).
    mutating func elect(_ index: Int) throws {
        let epoch = controlPlane.elect(index)
        leader = index
        if coordinators[index] == nil {
            coordinators[index] = try CoordinatorCore.start(settings: settings, restored: controlPlane.restored, role: .follower, now: now).0
        }
        let decisions = try coordinators[index]!.handle(.leadershipGained(epoch: epoch, restored: controlPlane.restored, now: now))
        for decision in decisions where !controlPlane.commit(decision, epoch: epoch) {
            throw fail("the new leader's first commit was refused")
        }
        log("c\(index) leads under epoch \(epoch); \(coordinators[index]!.restart.waiting.count) slots wait for their replicas")
        // No acknowledged write lost: the new leader knows every acknowledged mark, so no
        // replica that missed a write can pass for current.
        for (slot, mark) in acknowledged where map.slots[slot].sequence < mark {
            throw fail("the new leader's mark of slot \(slot) is \(map.slots[slot].sequence), below the acknowledged \(mark)")
        }
    }

    /// Another coordinator than `index`, running if one is.
    mutating func successor(of index: Int) -> Int {
        let others = coordinators.indices.filter { $0 != index && $0 != deposed }
        let running = others.filter { coordinators[$0] != nil }
        return (running.isEmpty ? others : running).randomElement(using: &rng)!
    }

    /// The leader crashes; once its lease expires another takes the lead.
    mutating func crashLeader() throws {
        let old = leader
        coordinators[old] = nil
        counters.leaderCrashes += 1
        log("c\(old) crashes")
        try elect(successor(of: old))
    }

    /// The leader loses its lease (cut off from the control plane) without noticing at once:
    /// another takes the lead, and the old one acts on until it notices or a commit of its
    /// own is refused.
    mutating func loseLease() throws {
        if let deposed { notice(deposed) }
        let old = leader
        deposed = old
        counters.leasesLost += 1
        log("c\(old) loses its lease")
        try elect(successor(of: old))
    }

    /// A crashed coordinator starts again, as a follower of the leader's map.
    mutating func restartCoordinator() throws {
        guard let index = coordinators.indices.filter({ coordinators[$0] == nil }).randomElement(using: &rng) else { return }
        var core = try CoordinatorCore.start(settings: settings, restored: controlPlane.restored, role: .follower, now: now).0
        if let map = controlPlane.map { _ = try core.handle(.leaderMapLoaded(map)) }
        coordinators[index] = core
        log("c\(index) starts again as a follower")
    }

    /// Coordinator `index` notices it no longer leads.
    mutating func notice(_ index: Int) {
        if index != leader { _ = try? coordinators[index]?.handle(.leadershipLost) }
        if deposed == index {
            deposed = nil
            log("c\(index) notices it was deposed")
        }
    }
}
