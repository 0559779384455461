import StrataCore
import Testing

@Suite struct CoordinatorListTests {
    @Test func followsTheNamedLeaderElseTheNextAddress() {
        var list = CoordinatorList(["a:1", "b:2", "c:3"])
        #expect(list.address == "a:1")
        // A follower names the leader: go there (added when unknown).
        #expect(list.failed("a:1", message: "not the leader (strata-leader=c:3)", now: .seconds(10)) == "c:3")
        #expect(list.failed("c:3", message: "not the leader (strata-leader=d:4)", now: .seconds(10)) == "d:4")
        #expect(list.addresses == ["a:1", "b:2", "c:3", "d:4"])
        // Unreachable: the next address.
        #expect(list.failed("d:4", message: "failed to connect", now: .seconds(11)) == "a:1")
        // A follower still naming the dead leader within 2 s: not back there, the next instead.
        #expect(list.failed("a:1", message: "not the leader (strata-leader=d:4)", now: .seconds(12)) == "b:2")
        #expect(list.failed("b:2", message: "not the leader (strata-leader=d:4)", now: .seconds(14)) == "d:4")
        // A caller that failed on an address already left does not move the list.
        #expect(list.failed("a:1", message: "failed to connect", now: .seconds(15)) == "d:4")
    }

    @Test func oneAddressWithoutALeaderNamedHasNowhereElse() {
        var list = CoordinatorList(["a:1"])
        #expect(list.failed("a:1", message: "connection refused", now: .zero) == nil)
        #expect(LeaderHint.leader(in: "the leader is at x:1 (strata-leader=x:1)") == "x:1")
        #expect(LeaderHint.leader(in: "no leader") == nil)
    }
}
