import Testing

@testable import StrataCluster

@Suite("QueryPlanner")
struct QueryPlannerTests {
    @Test("one live replica per slot, one call per worker, spread evenly")
    func evenSpread() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3", "w4"], slots: 256)
        try fixture.runToQuiescence()
        let plan = QueryPlanner.plan(fixture.map)
        #expect(!plan.isDegraded)
        let all = plan.assignments.values.flatMap { $0 }
        #expect(all.sorted() == Array(0..<256))
        for (worker, slots) in plan.assignments {
            for slot in slots { #expect(fixture.map.slots[slot].replicas.contains(worker)) }
            #expect((60...68).contains(slots.count), "\(worker): \(slots.count)")
        }
        #expect(QueryPlanner.plan(fixture.map) == plan)
    }

    @Test("suspect replicas are used only when no live one exists; dead ones never")
    func preferLive() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3"], slots: 32, replicas: 2)
        try fixture.runToQuiescence()
        fixture.setState("w1", .suspect)
        let plan = QueryPlanner.plan(fixture.map)
        #expect(plan.assignments["w1"] == nil)
        fixture.setState("w2", .suspect)
        let second = QueryPlanner.plan(fixture.map)
        // Slots served only by w1 and w2 must go to a suspect one; the rest to w3.
        for slot in second.assignments["w1", default: []] + second.assignments["w2", default: []] {
            #expect(!fixture.map.slots[slot].replicas.contains("w3"))
        }
        #expect(!second.isDegraded)
    }

    @Test("slots with no reachable replica are listed as missing")
    func missing() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3"], slots: 32, replicas: 1)
        try fixture.runToQuiescence()
        try fixture.write(slot: 0, count: 1)
        let owned = (0..<32).filter { fixture.map.slots[$0].replicas == ["w2"] }
        for slot in owned { try fixture.write(slot: slot, count: 1) }
        fixture.setState("w2", .dead)
        fixture.plan()
        let plan = QueryPlanner.plan(fixture.map)
        #expect(plan.isDegraded)
        #expect(plan.missingSlots == owned)
        #expect(plan.assignments["w2"] == nil)
    }

    @Test("a slot whose only reachable replica is behind is searched but reported stale")
    func stale() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2"], slots: 4, replicas: 2)
        try fixture.runToQuiescence()
        try fixture.write(slot: 1, count: 3)
        // w1 came back behind (restarted over an older disk) while w2, the current one, is dead.
        try fixture.register("w1", positions: [1: 1])
        fixture.setState("w2", .dead)
        let plan = QueryPlanner.plan(fixture.map)
        #expect(plan.staleSlots == [1])
        #expect(plan.missingSlots.isEmpty)
        #expect(plan.isDegraded)
        #expect(plan.assignments["w1"] == [0, 1, 2, 3])
        // With a current replica reachable again, it is preferred and nothing is stale.
        fixture.setState("w2", .live)
        let healthy = QueryPlanner.plan(fixture.map)
        #expect(healthy.staleSlots.isEmpty && !healthy.isDegraded)
        #expect(healthy.assignments["w2", default: []].contains(1))
    }

    @Test("a load hint moves slots away from a busy worker")
    func loadHint() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3"], slots: 60, replicas: 3)
        try fixture.runToQuiescence()
        let plan = QueryPlanner.plan(fixture.map, load: ["w1": 30])
        #expect(plan.assignments["w1", default: []].count < 10)
        #expect(plan.assignments.values.map(\.count).reduce(0, +) == 60)
    }

    @Test("a worker the query already tried is excluded: its slots go to their other replicas, or are missing")
    func excluding() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3"], slots: 8, replicas: 2)
        try fixture.runToQuiescence()
        let full = QueryPlanner.plan(fixture.map)
        let tried = full.workers[0]
        let theirs = full.assignments[tried]!
        let again = QueryPlanner.plan(fixture.map, slots: theirs, excluding: [tried])
        #expect(again.assignments[tried] == nil)
        #expect(again.assignments.values.flatMap { $0 }.sorted() == theirs)
        #expect(again.missingSlots.isEmpty)
        // With every replica tried, the slots are missing.
        let none = QueryPlanner.plan(fixture.map, slots: theirs, excluding: ["w1", "w2", "w3"])
        #expect(none.assignments.isEmpty && none.missingSlots == theirs)
    }
}
