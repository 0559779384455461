import StrataCore
import Testing

@Suite struct CoordinatorListTests {
    @Test func followsTheNamedLeaderElseTheNextAddress() {
        var list = CoordinatorList(["a:1", "b:2", "c:3"])
        #expect(list.address == "a:1")
        // A follower names the leader: go there (added when unknown).
        #expect(list.failed("a:1", leader: "c:3", now: .seconds(10)) == "c:3")
        #expect(list.failed("c:3", leader: "d:4", now: .seconds(10)) == "d:4")
        #expect(list.addresses == ["a:1", "b:2", "c:3", "d:4"])
        // Unreachable: the next address.
        #expect(list.failed("d:4", leader: nil, now: .seconds(11)) == "a:1")
        // A follower still naming the dead leader within 2 s: not back there, the next instead.
        #expect(list.failed("a:1", leader: "d:4", now: .seconds(12)) == "b:2")
        #expect(list.failed("b:2", leader: "d:4", now: .seconds(14)) == "d:4")
        // A caller that failed on an address already left does not move the list.
        #expect(list.failed("a:1", leader: nil, now: .seconds(15)) == "d:4")
    }

    @Test func oneAddressWithoutALeaderNamedHasNowhereElse() {
        var list = CoordinatorList(["a:1"])
        #expect(list.failed("a:1", leader: nil, now: .zero) == nil)
        #expect(LeaderHint.leader(in: ["strata-leader": "x:1", "strata-answered": "1"]) == "x:1")
        #expect(LeaderHint.leader(in: LeaderHint.metadata(nil)) == nil)
        #expect(LeaderHint.leader(in: [:]) == nil)
    }
}
