import Foundation
import StrataCore

@testable import StrataCluster

/// A failed invariant, with the seed and step that reproduce it.
struct SimulationFailure: Error, CustomStringConvertible {
    var description: String
}

/// Test double: the coordinators and their workers in one process, driven by a seed.
///
/// Three coordinators run the production `CoordinatorCore` over a shared control plane
/// (`ControlPlaneTestDouble`, etcd's part): one leads under an epoch, the others follow; at
/// random steps the leader crashes or loses its lease (and acts on as a deposed leader until
/// it notices), and another takes the lead from the control plane as it stands. Workers carry
/// the directives out, fence commands by epoch, and every invariant is checked after every
/// step (see `ClusterSimulation+Invariants`). Set `STRATA_SIM_SEED=<n>` to rerun one seed with
/// a trace.
struct ClusterSimulation {
    struct Counters {
        var steps = 0
        var plans = 0
        var joins = 0
        var leaves = 0
        var removals = 0
        var crashes = 0
        var restarts = 0
        var namespaceDrops = 0
        var disksWiped = 0
        var strayCalls = 0
        var writesAcknowledged = 0
        var writesRefused = 0
        var writesUnrecorded = 0
        var writesWhileRestarting = 0
        var copiesStarted = 0
        var deltaCopies = 0
        var copiesCompleted = 0
        var copiesFailed = 0
        var drops = 0
        var dropsRefused = 0
        var quiescentChecks = 0
        var slotsChecked = 0
        var slotsLostAtQuiescence = 0
        var maxRoundsToQuiesce = 0
        var joinMoves = 0
        var joinIdealMoves = 0.0
        var leaderCrashes = 0
        var leasesLost = 0
        var commandsFenced = 0
        var deposedCommits = 0
        var slotsConfirmedByMark = 0
        var slotsConfirmedByQuorum = 0

        mutating func add(_ other: Counters) {
            steps += other.steps
            plans += other.plans
            joins += other.joins
            leaves += other.leaves
            removals += other.removals
            crashes += other.crashes
            restarts += other.restarts
            namespaceDrops += other.namespaceDrops
            disksWiped += other.disksWiped
            strayCalls += other.strayCalls
            writesAcknowledged += other.writesAcknowledged
            writesRefused += other.writesRefused
            writesUnrecorded += other.writesUnrecorded
            writesWhileRestarting += other.writesWhileRestarting
            copiesStarted += other.copiesStarted
            deltaCopies += other.deltaCopies
            copiesCompleted += other.copiesCompleted
            copiesFailed += other.copiesFailed
            drops += other.drops
            dropsRefused += other.dropsRefused
            quiescentChecks += other.quiescentChecks
            slotsChecked += other.slotsChecked
            slotsLostAtQuiescence += other.slotsLostAtQuiescence
            maxRoundsToQuiesce = max(maxRoundsToQuiesce, other.maxRoundsToQuiesce)
            joinMoves += other.joinMoves
            joinIdealMoves += other.joinIdealMoves
            leaderCrashes += other.leaderCrashes
            leasesLost += other.leasesLost
            commandsFenced += other.commandsFenced
            deposedCommits += other.deposedCommits
            slotsConfirmedByMark += other.slotsConfirmedByMark
            slotsConfirmedByQuorum += other.slotsConfirmedByQuorum
        }
    }

    /// A write still on the wire: each target applies it at a later moment (its acks were lost).
    struct LateWrite {
        var slot: Int
        var sequence: UInt64
        var highWater: UInt64
        var worker: WorkerID
        var epoch: UInt64
        var issuer: Int
    }

    let seed: UInt64
    let trace: Bool
    var rng: SeededGenerator
    var now: UInt64 = 0
    let settings: CoordinatorCore.Settings
    /// The coordinators' cores (nil: crashed), the one the control plane elected, and a
    /// deposed leader that has not noticed yet.
    var coordinators: [CoordinatorCore?] = []
    var leader = 0
    var deposed: Int?
    var controlPlane = ControlPlaneTestDouble()
    let zones: [String]
    var workers: [WorkerID: SimulatedWorker] = [:]
    var lateWrites: [LateWrite] = []
    /// The highest acknowledged sequence of each slot (what a client was told is stored).
    var acknowledged: [Int: UInt64] = [:]
    /// Which coordinator each epoch's accepted commands came from.
    var issuers: [UInt64: Set<Int>] = [:]
    var nextWorker = 1
    var step = 0
    var counters = Counters()
    var previousTargets: [[WorkerID]] = []
    var previousEligible: Set<WorkerID> = []
    /// A violation found where throwing is not possible (the first one is reported).
    var pendingFailure: String?

    init(seed: UInt64, slots: Int = 32, trace: Bool = false) throws {
        self.seed = seed
        self.trace = trace
        rng = SeededGenerator(seed: seed)
        let replicas = 1 + Int(seed % 3)
        switch seed % 5 {
        case 2: zones = ["a", "b"]
        case 3, 4: zones = ["a", "b", "c"]
        default: zones = []
        }
        let planner = try RecoveryPlanner.Settings(
            maxTransfersInFlight: Int.random(in: 1...8, using: &rng),
            maxIncomingPerWorker: Int.random(in: 1...3, using: &rng),
            maxOutgoingPerWorker: Int.random(in: 1...4, using: &rng),
            maxRebalanceInFlight: Int.random(in: 1...4, using: &rng))
        settings = CoordinatorCore.Settings(
            slotCount: slots, replicationFactor: replicas, detector: try .init(suspectAfterMs: 2_000, deadAfterMs: 5_000),
            planner: planner, quorum: try WriteQuorum(), publishesPositions: seed % 2 == 0)
        for _ in 0..<3 {
            coordinators.append(try CoordinatorCore.start(settings: settings, restored: controlPlane.restored, role: .follower, now: now).0)
        }
        try elect(0)
        for _ in 0..<Int.random(in: 2...5, using: &rng) { try join() }
    }

    /// The leader's map (what the checks look at).
    var map: ClusterMap { coordinators[leader]!.map }

    func fail(_ message: String) -> SimulationFailure {
        SimulationFailure(description: "seed \(seed) step \(step): \(message) (rerun with STRATA_SIM_SEED=\(seed))")
    }

    func log(_ message: @autoclosure () -> String) {
        if trace { print("[\(seed)#\(step) t=\(now) c\(leader)] \(message())") }
    }

    // MARK: Events

    mutating func run(steps: Int, quiesceEvery: Int) throws {
        for _ in 0..<steps {
            step += 1
            counters.steps += 1
            try randomEvent()
            if step % quiesceEvery == 0 { try quiesce() }
        }
        try quiesce()
    }

    mutating func randomEvent() throws {
        // The coordinators' faults, rarely: a crashed leader, a lease lost (the deposed leader
        // acts on until it notices), a crashed coordinator back as a follower.
        switch Int.random(in: 0..<100, using: &rng) {
        case 0: return try crashLeader()
        case 1: return try loseLease()
        case 2: return try restartCoordinator()
        case 3..<6: if let deposed { return notice(deposed) }
        default: break
        }
        let roll = Int.random(in: 0..<100, using: &rng)
        let running = workers.values.filter(\.running).map(\.id).sorted()
        let stopped = workers.values.filter { !$0.running }.map(\.id).sorted()
        switch roll {
        case 0..<30:
            if let id = running.randomElement(using: &rng) { try heartbeat(id) }
        case 30..<36:
            for id in running { try heartbeat(id) }
        case 36..<47:
            try tick(by: UInt64.random(in: 100...2_500, using: &rng))
        case 47..<65:
            try write(slot: Int.random(in: 0..<map.slotCount, using: &rng))
        case 65..<67:
            // A namespace drop (or create-and-drop): one write to every slot, most of which hold
            // nothing of the namespace.
            counters.namespaceDrops += 1
            log("drop a namespace: a write to every slot")
            for slot in 0..<map.slotCount { try write(slot: slot) }
        case 67..<82:
            try completeRandomCopy()
        case 82..<86:
            if workers.count < 8 { try join() }
        case 86..<88:
            try leave()
        case 88..<92:
            if running.count > 1, let id = running.randomElement(using: &rng) { try crash(id) }
        case 92..<95:
            if let id = stopped.randomElement(using: &rng) { try restart(id) }
        case 95..<96:
            // The same node id comes back over an empty disk (its store was wiped).
            if running.count > 1, let id = running.randomElement(using: &rng) {
                try crash(id)
                workers[id]!.data = [:]
                counters.disksWiped += 1
                try restart(id)
            }
        case 96..<98:
            if let id = running.randomElement(using: &rng) { try strayCall(naming: id) }
        default:
            try removeDrained()
        }
    }

    mutating func join() throws {
        let id = "w\(nextWorker)"
        nextWorker += 1
        let zone = zones.isEmpty ? "" : zones[Int.random(in: 0..<zones.count, using: &rng)]
        let weight = [1.0, 1.0, 2.0].randomElement(using: &rng)!
        workers[id] = SimulatedWorker(id: id, zone: zone, weight: weight)
        counters.joins += 1
        log("join \(id) zone=\(zone) weight=\(weight)")
        try register(id)
    }

    mutating func register(_ id: WorkerID) throws {
        let coordinator = caller()
        guard let decisions = try handle(.workerRegistered(workers[id]!.registration, now: now), by: coordinator),
            let answer = decisions.answer
        else { return }
        try checkAfterPlan()
        guard admit(answer.epoch, from: coordinator, at: id) else { return }
        workers[id]!.incarnation = answer.incarnation!
        carryOut(answer, for: id)
        try checkRecordedViolations()
    }

    mutating func heartbeat(_ id: WorkerID) throws {
        let worker = workers[id]!
        let coordinator = caller()
        guard let decisions = try handle(
            .heartbeat(worker: id, incarnation: worker.incarnation, positions: worker.data, digests: worker.digests, now: now),
            by: coordinator), let answer = decisions.answer
        else { return }
        if answer.reregister {
            // Unknown (it was removed) or another incarnation: the worker registers again.
            return try register(id)
        }
        try checkAfterPlan()
        // Writes still on the wire reach the worker between its report and the answer.
        deliverLateWrites(to: id)
        guard admit(answer.epoch, from: coordinator, at: id) else { return }
        carryOut(answer, for: id)
        try checkRecordedViolations()
    }

    /// A call with out-of-range values naming a real worker (a bug, or anyone who can reach the
    /// port): a heartbeat with an incarnation the map never assigned, or a report of slots
    /// outside the cluster and absurd positions. It must change nothing but what it may: the
    /// report's valid part. The worker must go on as a member (checked at every quiescence).
    mutating func strayCall(naming id: WorkerID) throws {
        counters.strayCalls += 1
        let before = map
        let absurd: [UInt64] = [.max, (map.workers[id]?.incarnation ?? 0) + 1, 0]
        let incarnation = absurd[Int.random(in: 0..<absurd.count, using: &rng)]
        let stray = try coordinators[leader]!.handle(.heartbeat(worker: id, incarnation: incarnation, positions: [0: .max], digests: [:], now: now))
        guard stray == [.answer(WorkerAnswer(worker: id, reregister: true, mapVersion: before.version, epoch: controlPlane.epoch))],
            map == before
        else {
            throw fail("a stray heartbeat (incarnation \(incarnation)) was accepted or changed the map: \(stray)")
        }
        // The worker's own incarnation with slots outside the cluster and an absurd position.
        let worker = workers[id]!
        guard map.acceptsHeartbeat(from: id, incarnation: worker.incarnation) else { return }
        var positions = worker.data
        positions[map.slotCount + 5] = 1
        positions[-1] = 1
        let decisions = try handle(
            .heartbeat(worker: id, incarnation: worker.incarnation, positions: positions.merging([0: .max]) { _, new in new },
                       digests: worker.digests, now: now), by: leader) ?? []
        let ignored = decisions.compactMap { decision -> IgnoredSlots? in
            if case .reportIgnored(id, let slots) = decision { return slots }
            return nil
        }
        guard ignored == [IgnoredSlots(outOfRange: [-1, map.slotCount + 5], absurdPositions: [0])] else {
            throw fail("a report with slots outside the cluster was not ignored: \(decisions)")
        }
        guard map.slots.allSatisfy({ $0.sequence <= MembershipLimits.maximumSequence }) else {
            throw fail("an absurd position reached the map")
        }
        log("stray calls naming \(id): ignored \(ignored)")
        try checkAfterPlan()
        // The real worker's next report sets its positions straight.
        try heartbeat(id)
    }

    mutating func deliverLateWrites(to id: WorkerID) {
        let mine = lateWrites.filter { $0.worker == id }
        lateWrites.removeAll { $0.worker == id }
        guard workers[id]?.running == true else { return }
        for write in mine where apply(write.sequence, slot: write.slot, highWater: write.highWater, serving: false, on: id,
                                      epoch: write.epoch, issuer: write.issuer) {
            log("late write slot \(write.slot) seq \(write.sequence) applied on \(id)")
        }
    }

    /// A worker applies a write as production's does: it carries the leader's epoch (fenced),
    /// the slot's high-water sequence, which the replica must hold (else it is behind and
    /// catches up by copy first), and a number above the replica's last (gaps are harmless:
    /// numbers are never reused). A slot the worker does not hold takes writes only while it
    /// serves it, or once a copy gave it the data.
    mutating func apply(_ sequence: UInt64, slot: Int, highWater: UInt64, serving: Bool, on id: WorkerID, epoch: UInt64, issuer: Int) -> Bool {
        guard let worker = workers[id], worker.running else { return false }
        let held = worker.data[slot] ?? 0
        guard held >= highWater, sequence > held, worker.data[slot] != nil || serving || held > 0 else { return false }
        guard admit(epoch, from: issuer, at: id) else { return false }
        workers[id]!.data[slot] = sequence
        return true
    }

    mutating func tick(by elapsed: UInt64) throws {
        now += elapsed
        for index in [leader] + (deposed.map { [$0] } ?? []) {
            _ = try handle(.timeAdvanced(now: now), by: index)
        }
        try checkAfterPlan()
    }

    mutating func crash(_ id: WorkerID) throws {
        workers[id]!.running = false
        lateWrites.removeAll { $0.worker == id }
        workers[id]!.fetches = [:]
        counters.crashes += 1
        log("crash \(id)")
    }

    mutating func restart(_ id: WorkerID) throws {
        workers[id]!.running = true
        counters.restarts += 1
        log("restart \(id) holding \(workers[id]!.data.count) slots")
        try register(id)
    }

    mutating func leave() throws {
        let candidates = map.eligibleWorkers.map(\.id)
        guard candidates.count > 1, let id = candidates.randomElement(using: &rng) else { return }
        _ = try handle(.workerDraining(id), by: leader)
        counters.leaves += 1
        log("drain \(id)")
        try checkAfterPlan()
    }

    mutating func removeDrained() throws {
        let before = Set(map.workers.keys)
        _ = try handle(.drainedWorkersRemoved, by: leader)
        for id in before.subtracting(map.workers.keys).sorted() {
            workers[id] = nil
            lateWrites.removeAll { $0.worker == id }
            counters.removals += 1
            log("remove drained \(id)")
        }
        try checkAfterPlan()
    }

    /// A client write through a coordinator: numbers reserved by its core (durable ceiling
    /// first), sent to the serving replicas and copy targets, acknowledged at the write quorum
    /// once the slot's mark is durable in the control plane.
    mutating func write(slot: Int) throws {
        let coordinator = caller()
        let decisions: [CoordinatorDecision]
        do {
            guard let reserved = try handle(.sequencesRequested(slot: slot, count: 1), by: coordinator) else {
                counters.writesRefused += 1
                return
            }
            decisions = reserved
        } catch let error as StrataError where error.code == .unavailable {
            // The slot waits for its replicas' reports after a leader change.
            counters.writesWhileRestarting += 1
            return
        }
        let sequence = decisions.reserved!.lowerBound
        guard let core = coordinators[coordinator] else { return }
        let epoch = core.epoch
        let targets = core.map.writeTargets(slot: slot)
        let highWater = core.map.slots[slot].sequence
        // One write in 20 lands on workers but its acks are lost (timeout): the coordinator does
        // not learn about it until the workers report it.
        if Int.random(in: 0..<20, using: &rng) == 0 {
            for id in targets {
                lateWrites.append(LateWrite(slot: slot, sequence: sequence, highWater: highWater, worker: id, epoch: epoch, issuer: coordinator))
            }
            counters.writesUnrecorded += 1
            log("write slot \(slot) seq \(sequence) to \(targets): in flight, acks lost")
            return
        }
        var acks: [WorkerID] = []
        for id in targets
        where apply(sequence, slot: slot, highWater: highWater, serving: core.map.slots[slot].replicas.contains(id), on: id,
                    epoch: epoch, issuer: coordinator) {
            acks.append(id)
        }
        log("write slot \(slot) seq \(sequence) (high water \(highWater)) to \(targets) by c\(coordinator) applied on \(acks)")
        let quorum = core.map.isWriteAcknowledged(slot: slot, acks: acks, quorum: settings.quorum)
        _ = try handle(.writeRecorded(slot: slot, sequence: sequence, acks: acks), by: coordinator)
        // The acknowledgement waits for the mark to be durable (refused for a deposed leader).
        if quorum && controlPlane.commitMark(slot: slot, sequence: sequence, epoch: epoch) {
            acknowledged[slot] = max(acknowledged[slot] ?? 0, sequence)
            counters.writesAcknowledged += 1
        } else {
            if quorum { notice(coordinator) }
            counters.writesRefused += 1
        }
    }

    /// Finishes one copy in flight: the target reads the source's slot up to its current sequence
    /// (a copy tails the source until caught up). It fails when the source is down or lost it.
    mutating func completeRandomCopy() throws {
        let inFlight = workers.values.filter(\.running).flatMap { worker in
            worker.fetches.keys.map { (worker.id, $0) }
        }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        guard let (id, slot) = inFlight.randomElement(using: &rng) else { return }
        try completeCopy(target: id, slot: slot)
    }

    mutating func completeCopy(target id: WorkerID, slot: Int) throws {
        guard let fetch = workers[id]?.fetches[slot] else { return }
        workers[id]!.fetches[slot] = nil
        if let source = workers[fetch.source], source.running, let held = source.data[slot] {
            let mine = workers[id]!.data[slot] ?? 0
            guard mine >= fetch.fromSequence || workers[id]!.data[slot] == nil else {
                throw fail("\(id) fetched slot \(slot) from \(fetch.fromSequence) but holds only \(mine)")
            }
            workers[id]!.data[slot] = max(mine, held)
            counters.copiesCompleted += 1
            log("copy done \(fetch.source)->\(id) slot \(slot) at \(held)")
        } else {
            counters.copiesFailed += 1
            log("copy failed \(fetch.source)->\(id) slot \(slot)")
        }
        // The worker reports the finished copy; the coordinator re-issues it if still behind.
        _ = try handle(.copyEnded(slot: slot, target: id), by: leader)
        try checkAfterPlan()
    }

    /// The worker carries out the directive set of an answer it admitted.
    mutating func carryOut(_ answer: WorkerAnswer, for id: WorkerID) {
        guard var worker = workers[id], worker.running else { return }
        var fetching = Set<Int>()
        for directive in answer.directives {
            switch directive {
            case .serve(let slot):
                if worker.data[slot] == nil && map.slots[slot].sequence == 0 { worker.data[slot] = 0 }
            case .fetch(let slot, let source, let address, let from, _):
                guard address == workers[source]?.address else {
                    pendingFailure = pendingFailure ?? "FETCH names a wrong address \(address)"
                    continue
                }
                fetching.insert(slot)
                if worker.fetches[slot] == nil {
                    worker.fetches[slot] = .init(source: source, fromSequence: from)
                }
            case .drop(let slot, let ifAtMost):
                // The worker's guard: it holds data the coordinator did not know of when it decided.
                if let held = worker.data[slot], held > ifAtMost {
                    log("drop refused \(id) slot \(slot) holds \(held) > \(ifAtMost)")
                    counters.dropsRefused += 1
                    continue
                }
                // An empty slot (no write ever applied) loses nothing.
                guard let held = worker.data[slot], held > 0 else {
                    worker.data[slot] = nil
                    continue
                }
                // Invariant 2: never delete the last up-to-date copy.
                let others = workers.values.filter { $0.id != id && ($0.data[slot] ?? 0) >= held && $0.data[slot] != nil }
                guard !others.isEmpty else {
                    pendingFailure = pendingFailure ?? "\(id) drops slot \(slot) at \(held), the last copy that recent"
                    continue
                }
                worker.data[slot] = nil
                worker.fetches[slot] = nil
                counters.drops += 1
                log("drop \(id) slot \(slot) at \(held)")
            }
        }
        // A FETCH that left the directive set is cancelled.
        for slot in worker.fetches.keys where !fetching.contains(slot) { worker.fetches[slot] = nil }
        workers[id] = worker
    }
}
