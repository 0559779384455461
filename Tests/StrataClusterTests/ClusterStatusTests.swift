import Testing

@testable import StrataCluster

@Suite("ClusterStatus")
struct ClusterStatusTests {
    @Test("counts fully replicated, under-replicated and unavailable slots and copies in flight")
    func counts() throws {
        let settings = try RecoveryPlanner.Settings(maxTransfersInFlight: 2, maxIncomingPerWorker: 2)
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3"], slots: 16, replicas: 2, settings: settings)
        try fixture.runToQuiescence()
        for slot in 0..<16 { try fixture.write(slot: slot, count: 1) }
        var status = fixture.map.status()
        #expect(status.fullyReplicated == 16 && status.underReplicated == 0 && status.unavailable == 0)
        #expect(status.liveWorkers == 3 && status.targetReplicas == 2)

        let bothOn = (0..<16).filter { Set(fixture.map.slots[$0].replicas) == ["w1", "w2"] }
        let withW1 = (0..<16).filter { fixture.map.slots[$0].replicas.contains("w1") }
        fixture.setState("w1", .dead)
        fixture.setState("w2", .dead)
        fixture.plan()
        status = fixture.map.status()
        #expect(status.unavailable == bothOn.count)
        #expect(status.deadWorkers == 2 && status.liveWorkers == 1 && status.targetReplicas == 1)
        #expect(status.transfersInProgress <= 2)
        #expect(status.transfersInProgress == status.recoveryTransfers)
        #expect(status.fullyReplicated + status.underReplicated + status.unavailable == 16)
        #expect(withW1.count >= bothOn.count)
    }
}
