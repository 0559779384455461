import StrataCore
import Testing

@testable import StrataCluster

@Suite("WriteQuorum")
struct WriteQuorumTests {
    @Test("majority by default")
    func majority() throws {
        let quorum = try WriteQuorum(StrataConfig.default.coordinator)
        #expect([1, 2, 3, 4, 5].map { quorum.required(replicationFactor: $0) } == [1, 2, 2, 3, 3])
    }

    @Test("a configured W is capped by the replication factor")
    func configured() throws {
        let quorum = try WriteQuorum(writeQuorum: 3)
        #expect(quorum.required(replicationFactor: 5) == 3)
        #expect(quorum.required(replicationFactor: 2) == 2)
        #expect(throws: StrataError.invalidArgument("coordinator.writeQuorum: -1 must be >= 0 (0 = majority)")) {
            try WriteQuorum(writeQuorum: -1)
        }
    }

    @Test("only distinct acks from serving replicas count")
    func acks() throws {
        let quorum = try WriteQuorum()
        let replicas = ["a", "b", "c"]
        #expect(!quorum.isAcknowledged(acks: ["a"], replicas: replicas, replicationFactor: 3))
        #expect(!quorum.isAcknowledged(acks: ["a", "a"], replicas: replicas, replicationFactor: 3))
        #expect(!quorum.isAcknowledged(acks: ["a", "stranger"], replicas: replicas, replicationFactor: 3))
        #expect(quorum.isAcknowledged(acks: ["c", "a"], replicas: replicas, replicationFactor: 3))
    }

    @Test("a slot that lost a replica does not lower its bar")
    func lostReplica() throws {
        let quorum = try WriteQuorum()
        // R = 3 but only two serving: both must ack.
        #expect(!quorum.isAcknowledged(acks: ["a"], replicas: ["a", "b"], replicationFactor: 3))
        #expect(quorum.isAcknowledged(acks: ["a", "b"], replicas: ["a", "b"], replicationFactor: 3))
        // One worker left in the whole cluster: R is capped to 1.
        #expect(quorum.isAcknowledged(acks: ["a"], replicas: ["a"], replicationFactor: 1))
    }

    /// Pins the rule against the other candidate, W of the target count alone: with four serving
    /// replicas for a target of three (a join), that would accept two acks, and the planner's
    /// drop of one of those two would leave an acknowledged write on one replica of three.
    @Test("more serving replicas than the target: every ack set that passes survives dropping any one replica")
    func extraReplicaDropKeepsAcknowledgedWrites() throws {
        for configured in [0, 2] {
            let quorum = try WriteQuorum(writeQuorum: configured)
            let replicas = ["a", "b", "c", "d"]
            #expect(quorum.required(servingReplicas: 4, targetReplicaCount: 3) == (configured == 0 ? 3 : 2))
            let keeps = quorum.required(replicationFactor: 3)
            for mask in 1..<(1 << replicas.count) {
                let acks = replicas.indices.filter { mask & (1 << $0) != 0 }.map { replicas[$0] }
                guard quorum.isAcknowledged(acks: acks, replicas: replicas, replicationFactor: 3) else { continue }
                for dropped in replicas where configured == 0 {
                    #expect(acks.filter { $0 != dropped }.count >= keeps, "acks \(acks), dropped \(dropped)")
                }
            }
        }
        // Never more than there are: one serving replica of a target of one.
        #expect(try WriteQuorum().required(servingReplicas: 1, targetReplicaCount: 1) == 1)
    }

    @Test("the map applies the quorum to a slot's serving replicas")
    func mapHelper() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3"], slots: 8, replicas: 3)
        try fixture.runToQuiescence()
        let replicas = fixture.map.slots[0].replicas
        let quorum = try WriteQuorum()
        #expect(!fixture.map.isWriteAcknowledged(slot: 0, acks: [replicas[0]], quorum: quorum))
        #expect(fixture.map.isWriteAcknowledged(slot: 0, acks: [replicas[0], replicas[2]], quorum: quorum))
    }
}
