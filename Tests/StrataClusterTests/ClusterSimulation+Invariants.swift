import StrataCore

@testable import StrataCluster

/// The invariants the simulation checks, after every step and at every quiescence.
extension ClusterSimulation {
    /// After every event that planned: the leader's map keeps its shape and limits.
    mutating func checkAfterPlan() throws {
        try checkRecordedViolations()
        counters.plans += 1
        let core = coordinators[leader]!
        // Invariant 4: the same state gives the same plan (and the map survives a JSON round trip).
        if counters.plans % 8 == 0 {
            // A fresh planner (no memory of earlier rounds) must agree with the long-lived one.
            var fresh = RecoveryPlanner(settings: settings.planner)
            var planner = core.planner
            guard fresh.plan(map) == planner.plan(map) else { throw fail("two plans of the same map differ") }
        }
        if counters.plans % 250 == 0 {
            let reloaded = try ClusterMap(json: try map.encodedJSON())
            var fresh = RecoveryPlanner(settings: settings.planner)
            var planner = core.planner
            guard reloaded == map, fresh.plan(reloaded) == planner.plan(map) else {
                throw fail("the map or its plan changed across a JSON round trip")
            }
        }
        try checkShape()
        try checkPlacementMoves()
    }

    /// A violation noticed where nothing could throw (a worker's side).
    func checkRecordedViolations() throws {
        if let pendingFailure { throw fail(pendingFailure) }
    }

    /// Invariant 2 at plan time: each new DROP leaves a placed, serving, up-to-date copy
    /// elsewhere. Also counts the copies the leader started.
    mutating func checkNewDirectives(before: ClusterMap, after map: ClusterMap) throws {
        for slot in map.slots.indices {
            for transfer in map.slots[slot].transfers where !before.slots[slot].transfers.contains(transfer) {
                counters.copiesStarted += 1
                if transfer.fromSequence > 0 { counters.deltaCopies += 1 }
                log("plan: start \(transfer.source)->\(transfer.target) slot \(slot) from \(transfer.fromSequence) \(transfer.purpose)")
            }
            for drop in map.slots[slot].dropping where !before.slots[slot].dropping.contains(drop) {
                let held = map.position(of: drop.worker, slot: slot) ?? 0
                let kept = map.slots[slot].replicas.contains { other in
                    other != drop.worker && map.isUpToDate(other, slot: slot) && (map.position(of: other, slot: slot) ?? 0) >= held
                }
                log("plan: drop \(drop.worker) slot \(slot) (seq \(map.slots[slot].sequence), replicas \(map.slots[slot].replicas))")
                guard kept || (held == 0 && map.slots[slot].sequence == 0) else {
                    throw fail("DROP of slot \(slot) on \(drop.worker) leaves no up-to-date copy")
                }
            }
        }
    }

    /// Structural invariants and invariant 3 (copy limits) after every plan.
    func checkShape() throws {
        let settings = self.settings.planner
        var incoming: [WorkerID: Int] = [:]
        var outgoing: [WorkerID: Int] = [:]
        var rebalancing = 0
        var total = 0
        for (index, slot) in map.slots.enumerated() {
            guard Set(slot.replicas).count == slot.replicas.count else { throw fail("slot \(index) lists a replica twice") }
            for id in slot.replicas where !map.isReachable(id) {
                throw fail("slot \(index) is served by unreachable \(id)")
            }
            guard Set(slot.transfers.map(\.target)).count == slot.transfers.count else {
                throw fail("slot \(index) has two copies into one target")
            }
            for transfer in slot.transfers {
                total += 1
                incoming[transfer.target, default: 0] += 1
                outgoing[transfer.source, default: 0] += 1
                if transfer.purpose == .rebalance { rebalancing += 1 }
            }
        }
        guard total <= settings.maxTransfersInFlight else { throw fail("\(total) copies in flight") }
        guard rebalancing <= settings.maxRebalanceInFlight else { throw fail("\(rebalancing) rebalancing copies") }
        guard incoming.values.allSatisfy({ $0 <= settings.maxIncomingPerWorker }) else {
            throw fail("a worker receives too many copies: \(incoming)")
        }
        guard outgoing.values.allSatisfy({ $0 <= settings.maxOutgoingPerWorker }) else {
            throw fail("a worker sends too many copies: \(outgoing)")
        }
    }

    /// Invariant 3 (placement): when the eligible set gains or loses one worker, only that
    /// worker's assignments change (exact HRW property, checked without zones; with zones the
    /// total change is bounded).
    mutating func checkPlacementMoves() throws {
        let eligible = Set(map.eligibleWorkers.map(\.id))
        guard eligible != previousEligible else { return }
        let targets = Placement.targets(for: map)
        defer {
            previousTargets = targets
            previousEligible = eligible
        }
        let difference = eligible.symmetricDifference(previousEligible)
        guard difference.count == 1, !previousTargets.isEmpty else { return }
        let changed = difference.first!
        let joined = eligible.count > previousEligible.count
        var moved = 0
        for (before, after) in zip(previousTargets, targets) {
            let movedIn = Set(after).subtracting(before)
            let movedOut = Set(before).subtracting(after)
            moved += movedIn.count
            // HRW: a join only brings the new worker in (displacing at most one); a departure only
            // takes the departed worker out (replaced by at most one).
            let minimal =
                joined
                ? movedIn.isSubset(of: [changed]) && movedOut.count <= 1
                : movedOut.isSubset(of: [changed]) && movedIn.count <= 1
            if !minimal {
                throw fail("placement moved \(movedOut) -> \(movedIn) when only \(changed) changed")
            }
        }
        // Tally joins into a cluster already at full R without zones, where the weighted ideal
        // share is well defined (with zones a new zone rightly pulls one replica of every slot).
        if joined && zones.isEmpty && previousEligible.count >= map.replicationFactor {
            let weights = map.eligibleWorkers.map(\.weight)
            counters.joinMoves += moved
            counters.joinIdealMoves +=
                Double(map.slotCount * map.replicationFactor) * map.workers[changed]!.weight / weights.reduce(0, +)
        }
    }

    /// Lets the cluster settle (a deposed leader notices, crashed workers are declared dead,
    /// every copy completes) and checks invariant 1 on the quiescent map.
    mutating func quiesce() throws {
        if let deposed { notice(deposed) }
        for id in workers.keys.sorted() { deliverLateWrites(to: id) }
        // Running workers keep heartbeating while the silent ones pass deadAfter.
        for _ in 0..<4 {
            try reportAll()
            try tick(by: 1_500)
        }
        var rounds = 0
        while true {
            rounds += 1
            // One planning round per pass: every running worker reports, the coordinator plans
            // once, every worker carries out its directives, and every copy completes.
            try reportAll()
            var planner = coordinators[leader]!.planner
            guard rounds <= 200 else {
                let plan = planner.plan(map)
                let busy = map.slots.enumerated().filter { !$0.element.transfers.isEmpty || !$0.element.dropping.isEmpty }
                    .prefix(3).map { "slot \($0.offset): \($0.element)" }
                let states = map.workers.values.sorted { $0.id < $1.id }
                    .map { "\($0.id) \($0.state) drain=\($0.draining) run=\(workers[$0.id]?.running ?? false) pos=\($0.positions.sorted { $0.key < $1.key }.prefix(6))" }
                throw fail(
                    "no quiescence after 200 rounds: started \(plan.started.prefix(3)) completed \(plan.completed.prefix(3)) "
                        + "promoted \(plan.promoted.prefix(3)) removed \(plan.removed.prefix(3)) dropped \(plan.dropped.prefix(3)) "
                        + "busy \(busy) workers \(states) fetches \(workers.values.map { ($0.id, $0.fetches) })")
            }
            let pending = workers.values.filter(\.running).flatMap { worker in worker.fetches.keys.map { (worker.id, $0) } }
                .sorted { ($0.0, $0.1) < ($1.0, $1.1) }
            for (id, slot) in pending { try completeCopy(target: id, slot: slot) }
            now += 100
            _ = try handle(.timeAdvanced(now: now), by: leader)
            try checkAfterPlan()
            planner = coordinators[leader]!.planner
            let plan = planner.plan(map)
            if pending.isEmpty && plan.isQuiescent && plan.map == map { break }
        }
        counters.maxRoundsToQuiesce = max(counters.maxRoundsToQuiesce, rounds)
        counters.quiescentChecks += 1
        try checkQuiescent()
        try checkAcknowledged()
    }

    /// Every running worker heartbeats at once; the leader answers them all.
    mutating func reportAll() throws {
        for id in workers.keys.sorted() where workers[id]?.running == true { try heartbeat(id) }
    }

    /// No acknowledged write lost: the leader's mark of every slot covers what was
    /// acknowledged, and the acknowledged data is on a running worker unless every copy of
    /// it is on a stopped one or a wiped disk (then the query plan says so, `checkQuiescent`).
    func checkAcknowledged() throws {
        for (slot, mark) in acknowledged {
            guard map.slots[slot].sequence >= mark else {
                throw fail("slot \(slot): the leader's mark \(map.slots[slot].sequence) is below the acknowledged \(mark)")
            }
        }
        // Replication back to R and nobody locked out: every running worker is a live member.
        for worker in workers.values where worker.running {
            guard map.workers[worker.id]?.state == .live, map.acceptsHeartbeat(from: worker.id, incarnation: worker.incarnation) else {
                throw fail("running \(worker.id) is locked out: \(map.workers[worker.id].map { "\($0.state) incarnation \($0.incarnation)" } ?? "unknown") vs \(worker.incarnation)")
            }
        }
    }

    /// Invariant 1: every slot whose data survives on a running worker has min(R, eligible)
    /// live replicas on distinct workers (distinct zones where possible), all up to date, on its
    /// placement, and nobody else holds it; a slot whose data survives only on dead workers is
    /// reported missing by the query planner.
    mutating func checkQuiescent() throws {
        let eligible = map.eligibleWorkers
        let target = min(map.replicationFactor, eligible.count)
        let targets = Placement.targets(for: map)
        let zonesAvailable = zones.isEmpty ? eligible.count : Set(eligible.map(\.zone)).count
        let query = QueryPlanner.plan(map)
        let status = map.status()
        for index in 0..<map.slotCount {
            counters.slotsChecked += 1
            let slot = map.slots[index]
            let current = workers.values.filter { $0.running && ($0.data[index] ?? 0) >= slot.sequence && $0.data[index] != nil }
            if slot.sequence > 0 && current.isEmpty {
                counters.slotsLostAtQuiescence += 1
                guard query.missingSlots.contains(index) || query.staleSlots.contains(index) else {
                    throw fail(
                        "slot \(index) has no live current copy but the query plan does not report it missing: \(slot); "
                            + "holders \(workers.values.filter { $0.data[index] != nil }.map { ($0.id, $0.running, $0.data[index]!, map.workers[$0.id]?.state as Any) })")
                }
                continue
            }
            if targets[index].isEmpty {
                // Every worker is draining or dead: whoever holds the current data keeps serving it.
                guard slot.sequence == 0 || !slot.replicas.isEmpty else {
                    throw fail("slot \(index) has a current copy but no eligible worker, and nobody serves it")
                }
                continue
            }
            guard slot.replicas == targets[index], slot.replicas.count == target else {
                throw fail("quiescent slot \(index) served by \(slot.replicas), placement \(targets[index]), want \(target)")
            }
            for id in slot.replicas {
                guard let worker = workers[id], worker.running, map.workers[id]?.state == .live else {
                    throw fail("quiescent slot \(index) served by \(id) which is not live")
                }
                guard slot.sequence == 0 || worker.data[index] == slot.sequence else {
                    throw fail("quiescent slot \(index): \(id) holds \(worker.data[index] ?? 0) of \(slot.sequence)")
                }
            }
            if !zones.isEmpty {
                let used = Set(slot.replicas.map { map.workers[$0]!.zone })
                guard used.count == min(target, zonesAvailable) else {
                    throw fail("quiescent slot \(index) uses zones \(used) of \(zonesAvailable)")
                }
            }
            let extra = workers.values.filter { $0.running && $0.data[index] != nil && !slot.replicas.contains($0.id) }
            guard extra.isEmpty || slot.sequence == 0 && extra.allSatisfy({ $0.data[index] == 0 }) || target == 0 else {
                throw fail("quiescent slot \(index) is still held by \(extra.map(\.id)) outside its replicas")
            }
        }
        let reachableDrops = map.slots.flatMap(\.dropping).filter { map.isReachable($0.worker) }
        let lost = (0..<map.slotCount).filter { index in
            !workers.values.contains { $0.running && ($0.data[index] ?? 0) >= map.slots[index].sequence && $0.data[index] != nil }
                && map.slots[index].sequence > 0
        }.count
        // Only slots whose current data is on dead workers may be short (stale or unserved).
        guard target == 0 || status.underReplicated + status.unavailable <= lost, status.transfersInProgress == 0,
            reachableDrops.isEmpty
        else {
            throw fail("quiescent status is not clean: \(status)")
        }
    }
}
