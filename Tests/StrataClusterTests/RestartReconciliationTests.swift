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
}
