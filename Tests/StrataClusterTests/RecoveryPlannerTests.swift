import StrataCore
import Testing

@testable import StrataCluster

@Suite("RecoveryPlanner")
struct RecoveryPlannerTests {
    @Test("an empty cluster serves every slot on its placement at once, with no copies")
    func freshCluster() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3", "w4"], slots: 32)
        let plan = fixture.plan()
        #expect(plan.started.isEmpty && plan.dropped.isEmpty)
        let targets = Placement.targets(for: fixture.map)
        for slot in 0..<32 { #expect(fixture.map.slots[slot].replicas == targets[slot]) }
        let served = plan.allDirectives.values.flatMap { $0 }.filter { if case .serve = $0 { true } else { false } }
        #expect(served.count == 32 * 3)
        #expect(fixture.map.version > 0)
    }

    @Test("a dead worker's slots are copied in full from a surviving replica, then served")
    func recoverDeadWorker() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3", "w4"], slots: 32)
        try fixture.runToQuiescence()
        for slot in 0..<32 { try fixture.write(slot: slot, count: 10) }
        let victim = "w2"
        let victimSlots = (0..<32).filter { fixture.map.slots[$0].replicas.contains(victim) }
        fixture.setState(victim, .dead)
        let plan = fixture.plan()
        #expect(Set(plan.removed.map(\.slot)) == Set(victimSlots))
        #expect(!plan.started.isEmpty)
        for transfer in plan.started {
            #expect(transfer.purpose == .recovery)
            #expect(transfer.fromSequence == 0)  // the new replica holds nothing: full copy
            #expect(transfer.source != victim && fixture.map.isUpToDate(transfer.source, slot: transfer.slot))
        }
        #expect(plan.directives(for: victim).isEmpty)  // no directives to a dead worker
        #expect(fixture.map.status().underReplicated == victimSlots.count)
        try fixture.runToQuiescence()
        let status = fixture.map.status()
        #expect(status.fullyReplicated == 32 && status.targetReplicas == 3)
        #expect(!fixture.map.slots.contains { $0.replicas.contains(victim) })
    }

    @Test("a worker that comes back catches up by delta from its last sequence, then the stand-in is dropped")
    func deltaCatchUp() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3", "w4"], slots: 16)
        try fixture.runToQuiescence()
        for slot in 0..<16 { try fixture.write(slot: slot, count: 10) }
        let victim = "w3"
        let victimSlots = (0..<16).filter { fixture.map.slots[$0].replicas.contains(victim) }
        fixture.setState(victim, .dead)
        try fixture.runToQuiescence()
        for slot in 0..<16 { try fixture.write(slot: slot, count: 5) }  // now at 15; the victim holds 10

        fixture.setState(victim, .live)
        let plan = fixture.plan()
        let catchUps = plan.started.filter { $0.target == victim }
        #expect(!catchUps.isEmpty)
        for transfer in catchUps {
            #expect(transfer.fromSequence == 10)  // delta, not a full copy
            #expect(transfer.purpose == .rebalance)
        }
        #expect(plan.dropped.isEmpty)  // nobody is dropped before the victim caught up
        try fixture.runToQuiescence()
        for slot in victimSlots { #expect(fixture.map.slots[slot].replicas.contains(victim)) }
        #expect(fixture.map.slots.allSatisfy { $0.replicas.count == 3 })
        #expect(fixture.map.status().fullyReplicated == 16)
    }

    @Test("the only up-to-date copy is never dropped, even when it is not placed there")
    func lastCopyKept() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2"], slots: 8, replicas: 1)
        try fixture.runToQuiescence()
        let slot = 0
        let owner = fixture.map.slots[slot].replicas[0]
        try fixture.write(slot: slot, count: 4)
        // A new worker that wins the slot's placement: find one.
        let newcomer = (3...200).map { "w\($0)" }.first { id in
            Placement.replicas(
                forSlot: slot, among: [.init(id: "w1"), .init(id: "w2"), .init(id: id)], count: 1) == [id]
        }!
        try fixture.register(newcomer)
        let plan = fixture.plan()
        // Empty slots move at once (nothing to copy); the slot with data keeps its only copy.
        #expect(!plan.dropped.contains { $0.slot == slot })
        #expect(fixture.map.slots[slot].replicas == [owner])
        #expect(plan.started.contains { $0.slot == slot && $0.target == newcomer && $0.source == owner })
        // The copy fails: still no drop, and it is issued again.
        try fixture.map.finishTransfer(slot: slot, target: newcomer)
        let retry = fixture.plan()
        #expect(!retry.dropped.contains { $0.slot == slot })
        #expect(retry.started.contains { $0.slot == slot && $0.target == newcomer })
        try fixture.runToQuiescence()
        #expect(fixture.map.slots[slot].replicas == [newcomer])
        #expect(fixture.map.position(of: owner, slot: slot) == nil)
    }

    @Test("a joining worker takes its share gradually, within the copy limits")
    func gradualJoin() throws {
        let settings = try RecoveryPlanner.Settings(
            maxTransfersInFlight: 8, maxIncomingPerWorker: 3, maxOutgoingPerWorker: 4, maxRebalanceInFlight: 4)
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3", "w4"], slots: 64, settings: settings)
        try fixture.runToQuiescence()
        for slot in 0..<64 { try fixture.write(slot: slot, count: 3) }
        try fixture.register("w5")
        var rounds = 0
        var moved = 0
        while true {
            let plan = fixture.plan()
            if plan.isQuiescent { break }
            rounds += 1
            let inFlight = fixture.map.slots.flatMap(\.transfers)
            #expect(inFlight.count <= 8)
            #expect(inFlight.filter { $0.target == "w5" }.count <= 3)
            #expect(inFlight.filter { $0.purpose == .rebalance }.count <= 4)
            moved += plan.started.count
            try fixture.carryOut(plan)
        }
        let share = fixture.map.slots.filter { $0.replicas.contains("w5") }.count
        print("planner: w5 joined 4 workers (S=64, R=3): \(moved) copies over \(rounds) rounds, w5 serves \(share) slots")
        #expect(rounds >= share / 3)  // gradual: never more than 3 at a time into w5
        #expect(moved == share)  // each slot it took was copied exactly once
        #expect(Double(share) <= 1.5 * 64 * 3 / 5)
    }

    @Test("without drops, a surplus copy stops serving, keeps its data, and can serve again")
    func noDrops() throws {
        var settings = try RecoveryPlanner.Settings()
        settings.dropsSurplusCopies = false
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3"], slots: 32, settings: settings)
        try fixture.runToQuiescence()
        for slot in 0..<32 { try fixture.write(slot: slot, count: 2) }
        try fixture.register("w4")
        try fixture.runToQuiescence()
        #expect(fixture.map.slots.allSatisfy { $0.dropping.isEmpty })
        #expect(fixture.map.status().underReplicated == 0)
        #expect(fixture.map.slots.filter { $0.replicas.contains("w4") }.count > 0)
        // The worker that joined leaves again: its slots go back to workers that never dropped
        // them, which serve again at once (they are current), with no copy needed where so.
        fixture.setState("w4", .dead)
        try fixture.runToQuiescence()
        #expect(fixture.map.status().underReplicated == 0)
        #expect(fixture.map.slots.allSatisfy { $0.dropping.isEmpty && $0.replicas.count == 3 })
    }

    @Test("recovery of under-replicated slots goes ahead of rebalancing")
    func recoveryFirst() throws {
        let settings = try RecoveryPlanner.Settings(
            maxTransfersInFlight: 6, maxIncomingPerWorker: 8, maxOutgoingPerWorker: 8, maxRebalanceInFlight: 3)
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3", "w4"], slots: 64, settings: settings)
        try fixture.runToQuiescence()
        for slot in 0..<64 { try fixture.write(slot: slot, count: 3) }
        try fixture.register("w5")
        let first = fixture.plan()
        #expect(first.started.count == 3 && first.started.allSatisfy { $0.purpose == .rebalance })
        fixture.setState("w1", .dead)
        let second = fixture.plan()
        // Rebalancing copies that still make sense stay; the free budget goes to recovery.
        #expect(!second.started.isEmpty && second.started.allSatisfy { $0.purpose == .recovery })
        #expect(fixture.map.slots.flatMap(\.transfers).count <= 6)
    }

    @Test("a draining worker hands its slots over, gets DROP for each, and can then be removed")
    func drain() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3", "w4"], slots: 32)
        try fixture.runToQuiescence()
        for slot in 0..<32 { try fixture.write(slot: slot, count: 2) }
        try fixture.map.drain("w4")
        let first = fixture.plan()
        #expect(first.dropped.isEmpty)  // its replacements are not current yet
        #expect(first.started.allSatisfy { $0.target != "w4" })
        try fixture.runToQuiescence()
        #expect(fixture.map.isDrained("w4"))
        try fixture.map.removeWorker("w4")
        #expect(fixture.map.status().fullyReplicated == 32)
    }

    @Test("a slot whose every replica is dead has no source: it is unavailable, not copied from nothing")
    func unavailable() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3"], slots: 8, replicas: 1)
        try fixture.runToQuiescence()
        try fixture.write(slot: 2, count: 9)
        let owner = fixture.map.slots[2].replicas[0]
        fixture.setState(owner, .dead)
        let plan = fixture.plan()
        #expect(!plan.started.contains { $0.slot == 2 })
        #expect(fixture.map.slots[2].replicas.isEmpty)
        #expect(fixture.map.status().unavailable == 1)
        fixture.setState(owner, .live)  // it comes back with its data
        try fixture.runToQuiescence()
        #expect(fixture.map.status().fullyReplicated == 8)
        #expect(fixture.map.slots[2].sequence == 9)
    }

    @Test("a suspect replica keeps its slots: a suspicion moves no data")
    func suspectKeepsSlots() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3", "w4"], slots: 16)
        try fixture.runToQuiescence()
        for slot in 0..<16 { try fixture.write(slot: slot, count: 1) }
        let before = fixture.map.slots.map(\.replicas)
        fixture.setState("w1", .suspect)
        let plan = fixture.plan()
        #expect(plan.started.isEmpty && plan.dropped.isEmpty)
        #expect(fixture.map.slots.map(\.replicas) == before)
    }

    @Test("the same map gives the same plan, also after a JSON round trip")
    func deterministic() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3", "w4", "w5"], zones: ["a", "b", "c", "a", "b"], slots: 32)
        try fixture.runToQuiescence()
        for slot in 0..<32 { try fixture.write(slot: slot, count: UInt64(slot + 1)) }
        fixture.setState("w3", .dead)
        try fixture.register("w6", zone: "c")
        let reloaded = try ClusterMap(json: try fixture.map.encodedJSON())
        let a = fixture.planner.plan(fixture.map)
        let b = fixture.planner.plan(fixture.map)
        var fresh = RecoveryPlanner(settings: fixture.planner.settings)
        let c = fresh.plan(reloaded)
        #expect(a == b)
        #expect(a == c)
        #expect(!a.started.isEmpty)
    }

    @Test("FETCH directives carry the source address, the start sequence and the rate limit")
    func fetchDirective() throws {
        let settings = try RecoveryPlanner.Settings(fetchRateLimitBytesPerSecond: 1_000)
        var fixture = try ClusterFixture(workers: ["w1", "w2"], slots: 1, replicas: 1, settings: settings)
        try fixture.runToQuiescence()
        try fixture.write(slot: 0, count: 5)
        let owner = fixture.map.slots[0].replicas[0]
        let other = owner == "w1" ? "w2" : "w1"
        try fixture.map.drain(owner)
        let plan = fixture.plan()
        #expect(
            plan.directives(for: other)
                == [.fetch(slot: 0, source: owner, sourceAddress: "\(owner):7401", fromSequence: 0, rateLimitBytesPerSecond: 1_000)])
        #expect(plan.directives(for: owner) == [.serve(slot: 0)])
        #expect(fixture.map.writeTargets(slot: 0) == [owner, other])
    }

    @Test("a DROP is guarded: a worker holding a write the coordinator never heard of keeps it and becomes the source")
    func dropGuard() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2"], slots: 1, replicas: 1)
        try fixture.runToQuiescence()
        try fixture.write(slot: 0, count: 5)
        let owner = fixture.map.slots[0].replicas[0]
        let other = owner == "w1" ? "w2" : "w1"
        try fixture.map.drain(owner)
        try fixture.carryOut(fixture.plan())  // the other worker copies the slot
        let dropPlan = fixture.plan()
        #expect(dropPlan.dropped == [.init(slot: 0, worker: owner)])
        #expect(dropPlan.directives(for: owner) == [.drop(slot: 0, ifAtMost: 5)])
        // Before carrying out the DROP the owner applied write 6 whose ack never arrived.
        try fixture.report(owner, [0: 6])
        #expect(fixture.map.slots[0].dropping.isEmpty)  // the drop is void
        #expect(fixture.map.slots[0].sequence == 6)
        let repair = fixture.plan()
        #expect(repair.started == [SlotTransfer(slot: 0, target: other, source: owner, fromSequence: 5, purpose: .catchUp)])
        try fixture.runToQuiescence()
        #expect(fixture.map.position(of: other, slot: 0) == 6)
        #expect(fixture.map.position(of: owner, slot: 0) == nil)
        #expect(fixture.map.isDrained(owner))
    }

    @Test("an old replica is dropped only after the new one proved the slot by digest, never on its word alone")
    func dropsNeedProof() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2"], slots: 1, replicas: 1)
        try fixture.runToQuiescence()
        try fixture.write(slot: 0, count: 5)
        let owner = fixture.map.slots[0].replicas[0]
        let other = owner == "w1" ? "w2" : "w1"
        try fixture.report(owner, [0: 5])
        try fixture.map.drain(owner)
        #expect(fixture.plan().started.map(\.target) == [other])
        // The new replica says it caught up, with a digest that is not the owner's (a copy that
        // lost records, or a report from anyone who can reach the port).
        try fixture.map.applyReport(from: other, incarnation: fixture.map.workers[other]!.incarnation,
                                    positions: [0: 5], digests: [0: 12345])
        for _ in 0..<3 {
            let plan = fixture.plan()
            #expect(plan.dropped.isEmpty)
            #expect(plan.directives(for: owner).contains(.serve(slot: 0)))
        }
        #expect(!fixture.map.hasProven(other, slot: 0))
        // The real copy: the digests agree, and the drop follows.
        try fixture.report(other, [0: 5])
        #expect(fixture.map.hasProven(other, slot: 0) && fixture.map.hasProven(owner, slot: 0))
        #expect(fixture.plan().dropped == [.init(slot: 0, worker: owner)])
        // A later disagreement at one sequence takes the proof back from both.
        try fixture.map.applyReport(from: other, incarnation: fixture.map.workers[other]!.incarnation,
                                    positions: [0: 5], digests: [0: 999])
        #expect(!fixture.map.hasProven(other, slot: 0) && !fixture.map.hasProven(owner, slot: 0))
    }

    @Test("a DROP not carried out yet is voided when the replica that made it safe comes back without the slot")
    func dropVoided() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2"], slots: 1, replicas: 1)
        try fixture.runToQuiescence()
        try fixture.write(slot: 0, count: 2)
        let owner = fixture.map.slots[0].replicas[0]
        let other = owner == "w1" ? "w2" : "w1"
        try fixture.report(owner, [0: 2])
        try fixture.map.drain(owner)
        fixture.plan()
        try fixture.report(other, [0: 2])  // the copy finished and proved the slot
        #expect(fixture.plan().dropped == [.init(slot: 0, worker: owner)])
        // Before the owner carries the DROP out, the new replica restarts over an empty disk.
        try fixture.register(other, positions: [:])
        let plan = fixture.plan()
        #expect(plan.voidedDrops == [.init(slot: 0, worker: owner)])
        #expect(plan.directives(for: owner).contains(.serve(slot: 0)))
        #expect(!plan.directives(for: owner).contains { if case .drop = $0 { true } else { false } })
    }

    @Test("bad planner limits are refused, naming the field")
    func badSettings() {
        #expect(throws: StrataError.invalidArgument("recovery.maxIncomingPerWorker: 0 must be >= 1")) {
            try RecoveryPlanner.Settings(maxIncomingPerWorker: 0)
        }
    }
}
