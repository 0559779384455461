import Foundation
import StrataCore

@testable import StrataCluster

/// A failed invariant, with the seed and step that reproduce it.
struct SimulationFailure: Error, CustomStringConvertible {
    var description: String
}

/// Test double: the coordinator shell and its workers in one process, driven by a seed.
///
/// It wires `FailureDetector`, `ClusterMap`, `RecoveryPlanner` and `WriteQuorum` the way the
/// coordinator shell will (event -> detector -> map -> plan -> directives), carries directives
/// out on simulated workers, and checks the invariants after every step. Set
/// `STRATA_SIM_SEED=<n>` to rerun one seed with a trace.
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
        }
    }

    let seed: UInt64
    let trace: Bool
    var rng: SeededGenerator
    var now: UInt64 = 0
    var map: ClusterMap
    var detector: FailureDetector
    var planner: RecoveryPlanner
    let quorum: WriteQuorum
    let zones: [String]
    var workers: [WorkerID: SimulatedWorker] = [:]
    var issuedSequence: [Int: UInt64] = [:]
    var lateWrites: [(slot: Int, sequence: UInt64, worker: WorkerID)] = []
    var nextWorker = 1
    var step = 0
    var counters = Counters()
    var previousTargets: [[WorkerID]] = []
    var previousEligible: Set<WorkerID> = []

    init(seed: UInt64, slots: Int = 32, trace: Bool = false) throws {
        self.seed = seed
        self.trace = trace
        rng = SeededGenerator(seed: seed)
        let replicas = 1 + Int(seed % 3)
        map = try ClusterMap(slotCount: slots, replicationFactor: replicas)
        detector = FailureDetector(settings: try .init(suspectAfterMs: 2_000, deadAfterMs: 5_000))
        switch seed % 5 {
        case 2: zones = ["a", "b"]
        case 3, 4: zones = ["a", "b", "c"]
        default: zones = []
        }
        planner = RecoveryPlanner(
            settings: try .init(
                maxTransfersInFlight: Int.random(in: 1...8, using: &rng),
                maxIncomingPerWorker: Int.random(in: 1...3, using: &rng),
                maxOutgoingPerWorker: Int.random(in: 1...4, using: &rng),
                maxRebalanceInFlight: Int.random(in: 1...4, using: &rng)))
        quorum = try WriteQuorum()
        for _ in 0..<Int.random(in: 2...5, using: &rng) { try join() }
    }

    func fail(_ message: String) -> SimulationFailure {
        SimulationFailure(description: "seed \(seed) step \(step): \(message) (rerun with STRATA_SIM_SEED=\(seed))")
    }

    func log(_ message: @autoclosure () -> String) {
        if trace { print("[\(seed)#\(step) t=\(now)] \(message())") }
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
        let worker = workers[id]!
        let incarnation = try map.register(worker.registration).incarnation
        workers[id]!.incarnation = incarnation
        map.apply(detector.heartbeat(from: id, incarnation: incarnation, now: now))
        try planAndCheck()
        try carryOut(for: id)
    }

    mutating func heartbeat(_ id: WorkerID) throws {
        let worker = workers[id]!
        guard map.acceptsHeartbeat(from: id, incarnation: worker.incarnation) else {
            // Unknown (it was removed) or another incarnation: the worker registers again.
            try register(id)
            return
        }
        map.apply(detector.heartbeat(from: id, incarnation: worker.incarnation, now: now))
        do {
            try map.applyReport(from: id, incarnation: worker.incarnation, positions: worker.data, digests: worker.digests)
        } catch let error as StrataError where error.code == .notFound {
            // The coordinator does not know it (it was removed): the worker registers again.
            try register(id)
            return
        }
        try planAndCheck()
        // Writes still on the wire reach the worker between its report and the answer.
        deliverLateWrites(to: id)
        try carryOut(for: id)
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
        guard !map.acceptsHeartbeat(from: id, incarnation: incarnation) else { throw fail("a heartbeat with incarnation \(incarnation) was accepted") }
        guard (try? map.applyReport(from: id, incarnation: incarnation, positions: [0: .max])) == nil, map == before else {
            throw fail("a stray heartbeat (incarnation \(incarnation)) changed the map")
        }
        // The worker's own incarnation with slots outside the cluster and an absurd position.
        let worker = workers[id]!
        var positions = worker.data
        positions[map.slotCount + 5] = 1
        positions[-1] = 1
        let ignored = try map.applyReport(from: id, incarnation: worker.incarnation, positions: positions.merging([0: .max]) { _, new in new },
                                          digests: worker.digests)
        guard ignored.outOfRange == [-1, map.slotCount + 5], ignored.absurdPositions == [0] else {
            throw fail("a report with slots outside the cluster was not ignored: \(ignored)")
        }
        guard map.slots.allSatisfy({ $0.sequence <= MembershipLimits.maximumSequence }) else {
            throw fail("an absurd position reached the map")
        }
        log("stray calls naming \(id): ignored \(ignored)")
        // The real worker's next report sets its positions straight.
        try map.applyReport(from: id, incarnation: worker.incarnation, positions: worker.data, digests: worker.digests)
        try planAndCheck()
    }

    mutating func deliverLateWrites(to id: WorkerID) {
        let mine = lateWrites.filter { $0.worker == id }
        lateWrites.removeAll { $0.worker == id }
        guard var worker = workers[id], worker.running else { return }
        for write in mine {
            let held = worker.data[write.slot]
            if (held ?? 0) + 1 == write.sequence && (held != nil || write.sequence == 1) {
                worker.data[write.slot] = write.sequence
                log("late write slot \(write.slot) seq \(write.sequence) applied on \(id)")
            }
        }
        workers[id] = worker
    }

    mutating func tick(by elapsed: UInt64) throws {
        now += elapsed
        let transitions = detector.tick(now: now)
        if !transitions.isEmpty { log("tick \(transitions.map { "\($0.worker)->\($0.to)" })") }
        map.apply(transitions)
        try planAndCheck()
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
        try map.drain(id)
        counters.leaves += 1
        log("drain \(id)")
        try planAndCheck()
    }

    mutating func removeDrained() throws {
        for id in map.workers.keys.sorted() where map.isDrained(id) {
            try map.removeWorker(id)
            detector.forget(id)
            workers[id] = nil
            counters.removals += 1
            log("remove drained \(id)")
        }
        try planAndCheck()
    }

    /// A client write through the coordinator: to the serving replicas and copy targets, acknowledged
    /// at the write quorum. A replica applies it only in order (a gap means it is behind).
    mutating func write(slot: Int) throws {
        // The shell's own persisted counter: a sequence number is never reused, even when the
        // coordinator never heard whether an earlier write landed.
        let sequence = max(map.slots[slot].sequence, issuedSequence[slot, default: 0]) + 1
        issuedSequence[slot] = sequence
        // One write in 20 lands on workers but its acks are lost (timeout): the coordinator does
        // not learn about it until the workers report it.
        let acksLost = Int.random(in: 0..<20, using: &rng) == 0
        if acksLost {
            // Such a write is still on the wire: each target applies it at a later moment,
            // possibly after the coordinator planned a DROP from older positions.
            for id in map.writeTargets(slot: slot) { lateWrites.append((slot, sequence, id)) }
            counters.writesUnrecorded += 1
            log("write slot \(slot) seq \(sequence) to \(map.writeTargets(slot: slot)): in flight, acks lost")
            return
        }
        var acks: [WorkerID] = []
        for id in map.writeTargets(slot: slot) {
            guard var worker = workers[id], worker.running else { continue }
            let held = worker.data[slot] ?? 0
            let serving = map.slots[slot].replicas.contains(id)
            guard held + 1 == sequence, worker.data[slot] != nil || serving || held > 0 else { continue }
            worker.data[slot] = sequence
            workers[id] = worker
            acks.append(id)
        }
        log("write slot \(slot) seq \(sequence) to \(map.writeTargets(slot: slot)) applied on \(acks)")
        let acknowledged = map.isWriteAcknowledged(slot: slot, acks: acks, quorum: quorum)
        try map.recordWrite(slot: slot, sequence: sequence, acks: acks)
        if acknowledged {
            counters.writesAcknowledged += 1
        } else {
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
            // The worker reports the finished copy; the coordinator re-issues it if still behind.
            try map.finishTransfer(slot: slot, target: id)
            counters.copiesCompleted += 1
            log("copy done \(fetch.source)->\(id) slot \(slot) at \(held)")
        } else {
            try map.finishTransfer(slot: slot, target: id)
            counters.copiesFailed += 1
            log("copy failed \(fetch.source)->\(id) slot \(slot)")
        }
    }

    /// The worker carries out its directive set from the last answer.
    mutating func carryOut(for id: WorkerID) throws {
        guard var worker = workers[id], worker.running else { return }
        let directives = map.directives(for: id, rateLimitBytesPerSecond: planner.settings.fetchRateLimitBytesPerSecond)
        var fetching = Set<Int>()
        for directive in directives {
            switch directive {
            case .serve(let slot):
                if worker.data[slot] == nil && map.slots[slot].sequence == 0 { worker.data[slot] = 0 }
            case .fetch(let slot, let source, let address, let from, _):
                guard address == workers[source]?.address else { throw fail("FETCH names a wrong address \(address)") }
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
                    throw fail("\(id) drops slot \(slot) at \(held), the last copy that recent")
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

    // MARK: Planning and invariants

    mutating func planAndCheck() throws {
        let plan = planner.plan(map)
        counters.plans += 1
        // Invariant 4: the same state gives the same plan (and the map survives a JSON round trip).
        if counters.plans % 8 == 0 {
            // A fresh planner (no memory of earlier rounds) must agree with the long-lived one.
            var fresh = RecoveryPlanner(settings: planner.settings)
            guard fresh.plan(map) == plan else { throw fail("two plans of the same map differ") }
        }
        if counters.plans % 250 == 0 {
            let reloaded = try ClusterMap(json: try map.encodedJSON())
            var fresh = RecoveryPlanner(settings: planner.settings)
            guard reloaded == map, fresh.plan(reloaded) == plan else {
                throw fail("the map or its plan changed across a JSON round trip")
            }
        }
        if trace {
            for t in plan.started { log("plan: start \(t.source)->\(t.target) slot \(t.slot) from \(t.fromSequence) \(t.purpose)") }
            for t in plan.cancelled { log("plan: cancel \(t.source)->\(t.target) slot \(t.slot)") }
            for r in plan.promoted { log("plan: promote \(r.worker) slot \(r.slot)") }
            for r in plan.removed { log("plan: remove \(r.worker) slot \(r.slot)") }
            for r in plan.voidedDrops { log("plan: void the drop of \(r.worker) slot \(r.slot)") }
            for r in plan.dropped { log("plan: drop \(r.worker) slot \(r.slot) (seq \(plan.map.slots[r.slot].sequence), replicas \(plan.map.slots[r.slot].replicas), positions \(plan.map.slots[r.slot].replicas.map { plan.map.position(of: $0, slot: r.slot) ?? 0 }))") }
        }
        counters.copiesStarted += plan.started.count
        counters.deltaCopies += plan.started.filter { $0.fromSequence > 0 }.count
        try checkDrops(plan, before: map)
        map = plan.map
        try checkShape()
        try checkPlacementMoves()
    }

    /// Invariant 2 at plan time: each DROP leaves a placed, serving, up-to-date copy elsewhere.
    func checkDrops(_ plan: RecoveryPlan, before: ClusterMap) throws {
        for drop in plan.dropped {
            let held = plan.map.position(of: drop.worker, slot: drop.slot) ?? 0
            let kept = plan.map.slots[drop.slot].replicas.contains { other in
                other != drop.worker && plan.map.isUpToDate(other, slot: drop.slot)
                    && (plan.map.position(of: other, slot: drop.slot) ?? 0) >= held
            }
            guard kept || (held == 0 && plan.map.slots[drop.slot].sequence == 0) else {
                throw fail("DROP of slot \(drop.slot) on \(drop.worker) leaves no up-to-date copy")
            }
        }
    }

    /// Structural invariants and invariant 3 (copy limits) after every plan.
    func checkShape() throws {
        let settings = planner.settings
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

    /// Lets the cluster settle (crashed workers are declared dead, every copy completes) and checks
    /// invariant 1 on the quiescent map.
    mutating func quiesce() throws {
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
            map.apply(detector.tick(now: now))
            let plan = planner.plan(map)
            if pending.isEmpty && plan.isQuiescent && plan.map == map { break }
        }
        counters.maxRoundsToQuiesce = max(counters.maxRoundsToQuiesce, rounds)
        counters.quiescentChecks += 1
        try checkQuiescent()
    }

    /// Every running worker heartbeats at once; the coordinator plans once and answers them all.
    mutating func reportAll() throws {
        for id in workers.keys.sorted() where workers[id]!.running {
            let worker = workers[id]!
            guard map.acceptsHeartbeat(from: id, incarnation: worker.incarnation) else {
                try register(id)
                continue
            }
            map.apply(detector.heartbeat(from: id, incarnation: worker.incarnation, now: now))
            try map.applyReport(from: id, incarnation: worker.incarnation, positions: worker.data, digests: worker.digests)
        }
        try planAndCheck()
        for id in workers.keys.sorted() where workers[id]!.running { try carryOut(for: id) }
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
