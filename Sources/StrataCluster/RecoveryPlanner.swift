/// Plans how to bring the cluster map to its placement: state in, directives out.
///
/// One round (`plan(_:)`) takes the current map — liveness, reported positions, copies in
/// flight — and returns the next map, from which `RecoveryPlan.directives(for:)` gives each
/// worker its directive set. The result is a function of the map alone (the planner only
/// memoizes the last placement), so the same map always yields the same plan, and the shell
/// can call it after every event (registration, heartbeat, failure transition, finished copy).
///
/// Rules, per slot, in order (each slot's placement is `Placement.targets`):
///
/// | step | rule |
/// |------|------|
/// | 1 | dead workers stop serving (their remembered positions are kept for delta catch-up) |
/// | 1b | a DROP not carried out yet is voided when no placed, up-to-date, proven replica other than the dropped worker covers it any more |
/// | 2 | a copy ends when its target is up to date (completed), or when its target is dead, its source is dead or behind, or the target is no longer placed there (cancelled) |
/// | 3 | a placed worker that is up to date starts serving (promotion); if no serving replica is up to date, any up-to-date holder serves |
/// | 4 | each placed worker that is behind gets a FETCH from an up-to-date holder, from its own last sequence (delta) or 0 (full copy), within the limits of `Settings`, recovery first, then catch-up, then rebalancing |
/// | 5 | a holder that is not placed there gets DROP only when every placed worker serves the slot, is up to date, and -- if a copy filled it -- has proven the copy (its reported digest equalled another worker's at the same sequence) |
///
/// What must never happen: a DROP for the last up-to-date copy (step 5 needs at least one
/// placed, serving, up-to-date replica other than the dropped worker); a slot served by a dead
/// worker; a copy from a source that is not up to date when the copy starts.
public struct RecoveryPlanner: Sendable {
    public var settings: Settings
    /// The last placement computed, with what it was computed from. Placement changes only with
    /// membership, so most rounds reuse it; the result is the same as recomputing.
    private var placementMemo: (key: [Placement.Candidate], slotCount: Int, replicas: Int, targets: [[WorkerID]])?

    public init(settings: Settings = .default) {
        self.settings = settings
    }

    /// The placement of every slot of `map`, reusing the last one when membership is unchanged.
    mutating func placement(for map: ClusterMap) -> [[WorkerID]] {
        let key = map.eligibleWorkers.map(Placement.Candidate.init)
        if let memo = placementMemo, memo.key == key, memo.slotCount == map.slotCount,
            memo.replicas == map.replicationFactor
        {
            return memo.targets
        }
        let targets = Placement.targets(for: map)
        placementMemo = (key, map.slotCount, map.replicationFactor, targets)
        return targets
    }

    /// One planning round. (Mutating only to remember the last placement computed.)
    public mutating func plan(_ input: ClusterMap) -> RecoveryPlan {
        var map = input
        let targets = placement(for: map)
        // Who holds what does not change within a round: index it once.
        var holders = Array(repeating: [WorkerID](), count: map.slotCount)
        for record in map.workers.values.sorted(by: { $0.id < $1.id }) where record.isReachable {
            for slot in record.positions.keys { holders[slot].append(record.id) }
        }
        var plan = RecoveryPlan(
            map: input, started: [], completed: [], cancelled: [], promoted: [], removed: [], dropped: [],
            rateLimitBytesPerSecond: settings.fetchRateLimitBytesPerSecond)

        for slot in 0..<map.slotCount {
            settle(slot: slot, placed: targets[slot], holders: holders[slot], map: &map, plan: &plan)
        }
        startCopies(targets: targets, holders: holders, map: &map, plan: &plan)
        for slot in 0..<map.slotCount {
            dropSurplus(slot: slot, placed: targets[slot], holders: holders[slot], map: &map, plan: &plan)
        }

        if map.slots != input.slots { map.version += 1 }
        plan.map = map
        return plan
    }

    /// Steps 1-3: unreachable replicas stop serving, finished or stale copies end, up-to-date
    /// placed workers start serving.
    private func settle(slot: Int, placed: [WorkerID], holders: [WorkerID], map: inout ClusterMap, plan: inout RecoveryPlan) {
        var record = map.slots[slot]
        // The common case: the slot is served by its placement, nothing in flight, and at least
        // one replica current. Nothing in steps 1-3 can change it.
        if record.transfers.isEmpty && record.dropping.isEmpty && record.replicas == placed
            && !record.replicas.contains(where: { !map.isReachable($0) })
            && record.replicas.contains(where: { map.isUpToDate($0, slot: slot) })
        {
            return
        }
        // A DROP not yet carried out stands only while its reason does: a placed replica other
        // than the dropped worker that is up to date, holds at least as much and proved the
        // slot. One that died, or came back over an empty disk, voids it (the worker carries a
        // DROP out only once it has stood for a grace period, so it is not carried out).
        record.dropping.removeAll { drop in
            let held = map.position(of: drop.worker, slot: slot) ?? 0
            let covered = placed.contains { other in
                other != drop.worker && map.isUpToDate(other, slot: slot)
                    && (map.position(of: other, slot: slot) ?? 0) >= held && (held == 0 || map.hasProven(other, slot: slot))
            }
            if !covered { plan.voidedDrops.append(.init(slot: slot, worker: drop.worker)) }
            return !covered
        }
        let before = record.replicas
        record.replicas = before.filter { map.isReachable($0) && !record.isDropping($0) }
        for worker in before where !record.replicas.contains(worker) {
            plan.removed.append(.init(slot: slot, worker: worker))
        }

        record.transfers = record.transfers.filter { transfer in
            if map.isUpToDate(transfer.target, slot: slot) && map.position(of: transfer.target, slot: slot) != nil {
                plan.completed.append(transfer)
                map.noteCopied(transfer.target, slot: slot)
                return false
            }
            // A source that fell behind (it missed writes) cannot bring the target up to date.
            let wanted =
                map.isReachable(transfer.target) && map.isUpToDate(transfer.source, slot: slot)
                && placed.contains(transfer.target) && !record.isDropping(transfer.target)
            if !wanted { plan.cancelled.append(transfer) }
            return wanted
        }

        var serving = record.replicas
        for worker in placed
        where !serving.contains(worker) && !record.isDropping(worker) && map.isUpToDate(worker, slot: slot) {
            serving.append(worker)
            plan.promoted.append(.init(slot: slot, worker: worker))
        }
        if !serving.contains(where: { map.isUpToDate($0, slot: slot) }) {
            // Nothing placed is current (e.g. every replica died and a former one came back):
            // let whoever holds the current data serve, so the slot stays readable.
            for worker in holders
            where !serving.contains(worker) && !record.isDropping(worker) && map.isUpToDate(worker, slot: slot) {
                serving.append(worker)
                plan.promoted.append(.init(slot: slot, worker: worker))
            }
        }
        // Placement order first (it is the preferred read order), then the rest by id.
        record.replicas = placed.filter(serving.contains) + serving.filter { !placed.contains($0) }.sorted()
        map.slots[slot] = record
    }

    /// Step 4: FETCH directives for placed workers that are behind, within the limits.
    private func startCopies(targets: [[WorkerID]], holders: [[WorkerID]], map: inout ClusterMap, plan: inout RecoveryPlan) {
        var inFlight = 0
        var rebalancing = 0
        var incoming: [WorkerID: Int] = [:]
        var outgoing: [WorkerID: Int] = [:]
        for record in map.slots {
            for transfer in record.transfers {
                inFlight += 1
                if transfer.purpose == .rebalance { rebalancing += 1 }
                incoming[transfer.target, default: 0] += 1
                outgoing[transfer.source, default: 0] += 1
            }
        }

        struct Need {
            var purpose: SlotTransfer.Purpose
            var upToDate: Int
            var slot: Int
            var rank: Int
            var target: WorkerID
        }
        var needs: [Need] = []
        for (slot, placed) in targets.enumerated() {
            let record = map.slots[slot]
            // With no write ever made to the slot there is nothing to copy; usually every placed
            // worker is current.
            guard record.sequence > 0, placed.contains(where: { !map.isUpToDate($0, slot: slot) }) else { continue }
            let upToDate = record.replicas.filter { map.isUpToDate($0, slot: slot) }.count
            for (rank, worker) in placed.enumerated()
            where !map.isUpToDate(worker, slot: slot) && !record.isDropping(worker)
                && !record.transfers.contains(where: { $0.target == worker })
            {
                let purpose: SlotTransfer.Purpose =
                    record.replicas.contains(worker) ? .catchUp : (upToDate < placed.count ? .recovery : .rebalance)
                needs.append(Need(purpose: purpose, upToDate: upToDate, slot: slot, rank: rank, target: worker))
            }
        }
        // Recovery before catch-up before rebalancing; the slots with fewest current copies first.
        needs.sort { ($0.purpose, $0.upToDate, $0.slot, $0.rank) < ($1.purpose, $1.upToDate, $1.slot, $1.rank) }

        for need in needs {
            guard inFlight < settings.maxTransfersInFlight else { break }
            guard incoming[need.target, default: 0] < settings.maxIncomingPerWorker else { continue }
            if need.purpose == .rebalance && rebalancing >= settings.maxRebalanceInFlight { continue }
            let sources = holders[need.slot].filter { worker in
                worker != need.target && map.isUpToDate(worker, slot: need.slot)
                    && !map.slots[need.slot].isDropping(worker)
                    && outgoing[worker, default: 0] < settings.maxOutgoingPerWorker
            }
            // Live before suspect, then the least busy, then by id: deterministic and spread out.
            guard
                let source = sources.min(by: { a, b in
                    let keyA = (map.workers[a]?.state == .live ? 0 : 1, outgoing[a, default: 0], a)
                    let keyB = (map.workers[b]?.state == .live ? 0 : 1, outgoing[b, default: 0], b)
                    return keyA < keyB
                })
            else { continue }
            let transfer = SlotTransfer(
                slot: need.slot, target: need.target, source: source,
                fromSequence: map.position(of: need.target, slot: need.slot) ?? 0, purpose: need.purpose)
            map.slots[need.slot].transfers.append(transfer)
            plan.started.append(transfer)
            inFlight += 1
            if need.purpose == .rebalance { rebalancing += 1 }
            incoming[need.target, default: 0] += 1
            outgoing[source, default: 0] += 1
        }
    }

    /// Step 5: DROP for holders that are not placed here, once every placed worker is current.
    private func dropSurplus(slot: Int, placed: [WorkerID], holders: [WorkerID], map: inout ClusterMap, plan: inout RecoveryPlan) {
        var record = map.slots[slot]
        // Usually every holder is placed: nothing to do.
        guard holders.contains(where: { !placed.contains($0) }) || record.replicas.count > placed.count else { return }
        guard !placed.isEmpty,
            placed.allSatisfy({ record.replicas.contains($0) && map.isUpToDate($0, slot: slot) })
        else { return }
        let sources = Set(record.transfers.map(\.source))
        let surplus = Set(holders + record.replicas)
            .filter { !placed.contains($0) && !record.isDropping($0) && !sources.contains($0) }
            .sorted()
        for worker in surplus {
            let held = map.position(of: worker, slot: slot) ?? 0
            // Never drop the last up-to-date copy: a placed, serving, current replica must hold
            // at least as much as the worker being dropped.
            let covered = placed.contains { other in
                other != worker && map.isUpToDate(other, slot: slot)
                    && (map.position(of: other, slot: slot) ?? 0) >= held
            }
            guard covered else { continue }
            // ...and never on a replica's word alone: a placed replica filled by a copy must have
            // proven it, its reported digest equal to another worker's at the same sequence (a
            // holder at position 0 -- a slot it never received a write for -- has nothing to lose).
            guard held == 0 || placed.allSatisfy({ map.hasProven($0, slot: slot) }) else { continue }
            record.replicas.removeAll { $0 == worker }
            guard settings.dropsSurplusCopies else { continue }
            record.dropping.append(PendingDrop(worker: worker, ifAtMost: max(held, record.sequence)))
            plan.dropped.append(.init(slot: slot, worker: worker))
        }
        map.slots[slot] = record
    }
}
