import StrataCluster
import StrataCore
import Testing

@Suite("Recovery settings from the coordinator's config")
struct RecoverySettingsTests {
    @Test("the copy limits and the rate come from coordinator.* keys; the defaults are the planner's")
    func fromConfig() throws {
        #expect(try RecoveryPlanner.Settings(StrataConfig.default.coordinator) == .default)
        var config = StrataConfig.default
        try config.set("coordinator.max_copies_in_flight", text: "5")
        try config.set("coordinator.max_copies_per_worker", text: "1")
        try config.set("coordinator.max_rebalance_copies", text: "2")
        try config.set("coordinator.recovery_rate_bytes_per_second", text: "1000")
        let settings = try RecoveryPlanner.Settings(config.coordinator)
        #expect(settings.maxTransfersInFlight == 5)
        #expect(settings.maxIncomingPerWorker == 1)
        #expect(settings.maxOutgoingPerWorker == 2)
        #expect(settings.maxRebalanceInFlight == 2)
        #expect(settings.fetchRateLimitBytesPerSecond == 1000)
        #expect(throws: StrataError.self) { try config.set("coordinator.max_copies_per_worker", text: "0") }
    }

    @Test("a joining worker takes its share at most max_rebalance_copies at a time, one copy in at a time here")
    func joinBoundFromConfig() throws {
        var config = StrataConfig.default
        try config.set("coordinator.max_copies_per_worker", text: "1")
        try config.set("coordinator.max_rebalance_copies", text: "2")
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3"], slots: 48, settings: try .init(config.coordinator))
        try fixture.runToQuiescence()
        for slot in 0..<48 { try fixture.write(slot: slot, count: 2) }
        try fixture.register("w4")
        var rounds = 0
        while true {
            let plan = fixture.plan()
            if plan.isQuiescent { break }
            rounds += 1
            let inFlight = fixture.map.slots.flatMap(\.transfers)
            #expect(inFlight.filter { $0.purpose == .rebalance }.count <= 2)
            #expect(inFlight.filter { $0.target == "w4" }.count <= 1)
            try fixture.carryOut(plan)
        }
        let share = fixture.map.slots.filter { $0.replicas.contains("w4") }.count
        #expect(share > 0)
        #expect(rounds >= share)  // one slot into w4 at a time
        #expect(fixture.map.slots.allSatisfy { $0.replicas.count == 3 && $0.dropping.isEmpty })
    }
}
