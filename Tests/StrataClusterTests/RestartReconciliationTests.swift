import StrataCore
import Testing

@testable import StrataCluster

/// The pure rule a restarted coordinator follows: a slot that may hold data waits for
/// n - W + 1 of the n workers that may hold it, so that every possible write quorum reported.
@Suite struct RestartReconciliationTests {
    @Test func aWrittenSlotWaitsForEnoughOfItsHoldersToMeetEveryQuorum() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3"], slots: 4, replicas: 3)
        try fixture.runToQuiescence()
        var map = fixture.map
        let holders = map.slots[1].replicas
        try map.recordWrite(slot: 1, sequence: 5, acks: holders)
        var restart = RestartReconciliation(restoring: map, ceilings: [2: 9], quorum: try WriteQuorum(), pending: nil)
        // Slot 1 was written, slot 2 had sequences reserved; slots 0 and 3 hold nothing.
        #expect(restart.unconfirmed == [1, 2])
        #expect(restart.waiting[1]?.needed == 2)  // 3 - 2 + 1
        let first = restart.confirm(reported: [holders[0]])
        #expect(!first)
        #expect(restart.contains(1))
        let second = restart.confirm(reported: [holders[0], holders[2]])
        #expect(second)
        #expect(!restart.contains(1))
        // What a previous run still waited for is kept as it was.
        let again = RestartReconciliation(restoring: map, ceilings: [:], quorum: try WriteQuorum(), pending: restart)
        #expect(again.waiting[2] == restart.waiting[2])
    }

    /// With the acknowledged marks durable in the control plane, one replica that reports a
    /// position at the slot's mark confirms it: it holds every acknowledged write, and the
    /// map's mark keeps the replicas below it from taking writes.
    @Test func aReplicaAtTheDurableMarkConfirmsTheSlotAlone() throws {
        var fixture = try ClusterFixture(workers: ["w1", "w2", "w3"], slots: 4, replicas: 3)
        try fixture.runToQuiescence()
        var map = fixture.map
        let holders = map.slots[1].replicas
        try map.recordWrite(slot: 1, sequence: 5, acks: holders)
        try map.recordWrite(slot: 3, sequence: 7, acks: holders)
        var restart = RestartReconciliation(restoring: map, ceilings: [:], quorum: try WriteQuorum(), pending: nil,
                                            acknowledgedMarks: [1: 5, 3: 9])
        #expect(restart.waiting[1]?.acknowledged == 5)
        // Positions as the workers reported them after the restart.
        try map.applyReport(from: holders[0], incarnation: map.workers[holders[0]]!.incarnation, positions: [1: 5, 3: 7])
        let confirmed = restart.confirm(reported: [holders[0]], in: map)
        #expect(confirmed)
        #expect(!restart.contains(1))
        // Slot 3's acknowledged mark (9) is above what the reporter holds: it waits on.
        #expect(restart.contains(3))
        // A worker that has not reported since the restart does not count, whatever the map remembers.
        var other = RestartReconciliation(restoring: map, ceilings: [:], quorum: try WriteQuorum(), pending: nil, acknowledgedMarks: [1: 5])
        let none = other.confirm(reported: [], in: map)
        #expect(!none)
        #expect(other.contains(1))
    }
}
