import StrataControlPlane
import Testing

@Suite struct ElectionStateTests {
    private let margin = Duration.milliseconds(500)
    private let ttl = Duration.seconds(3)

    private func candidate(_ name: String, _ revision: Int64) -> ElectionCandidate {
        ElectionCandidate(key: Array("/s/election/\(name)".utf8), address: "\(name):7400", createRevision: revision, lease: revision * 10)
    }

    private func token(_ candidate: ElectionCandidate) -> LeaderToken {
        LeaderToken(key: candidate.key, epoch: candidate.createRevision, lease: candidate.lease)
    }

    @Test func aLoneCandidateLeadsWithItsCreateRevisionAsEpoch() {
        var state = ElectionState(stepDownMargin: margin)
        let own = candidate("a", 7)
        // Not before a full read of the candidates has seen its key: an older one may exist.
        #expect(state.campaigned(own, leaseRequestedAt: .zero, ttl: ttl, now: .milliseconds(10)) == [.roleChanged(.follower(leader: own))])
        #expect(state.observed([own], now: .milliseconds(20)) == [.roleChanged(.leader(token(own)))])
        #expect(state.role.token?.epoch == 7)
    }

    @Test func theOldestCandidateLeadsAndTheNextTakesOverWhenItGoes() {
        var state = ElectionState(stepDownMargin: margin)
        let older = candidate("old", 5)
        let own = candidate("own", 9)
        #expect(state.observed([older], now: .zero) == [.roleChanged(.follower(leader: older))])
        #expect(state.campaigned(own, leaseRequestedAt: .zero, ttl: ttl, now: .zero) == [])
        #expect(state.observed([older, own], now: .zero) == [])
        #expect(state.role == .follower(leader: older))
        // A younger candidate changes nothing.
        #expect(state.observedPut(candidate("young", 12), now: .milliseconds(100)) == [])
        #expect(state.observedDelete(key: older.key, now: .milliseconds(200)) == [.roleChanged(.leader(token(own)))])
    }

    @Test func aViewFromBeforeTheCampaignCannotMakeALeader() {
        var state = ElectionState(stepDownMargin: margin)
        _ = state.observed([], now: .zero)
        // An older candidate campaigned between our last read and our campaign.
        let older = candidate("older", 4)
        let own = candidate("own", 5)
        _ = state.campaigned(own, leaseRequestedAt: .zero, ttl: ttl, now: .zero)
        #expect(state.role.token == nil)
        _ = state.observed([older, own], now: .milliseconds(10))
        #expect(state.role == .follower(leader: older))
    }

    /// Campaigns and confirms with a full read: the leader at `now`.
    private func leader(_ own: ElectionCandidate, requestedAt: Duration, now: Duration) -> ElectionState {
        var state = ElectionState(stepDownMargin: margin)
        _ = state.campaigned(own, leaseRequestedAt: requestedAt, ttl: ttl, now: now)
        _ = state.observed([own], now: now)
        return state
    }

    @Test func aLeaderStepsDownBeforeItsLeaseCouldExpire() {
        var state = leader(candidate("a", 3), requestedAt: .seconds(1), now: .seconds(1))
        // Safe until 1 + 3 - 0.5 = 3.5 s.
        #expect(state.tick(now: .milliseconds(3_499)) == [])
        let directives = state.tick(now: .milliseconds(3_500))
        #expect(directives.first == .roleChanged(.follower(leader: candidate("a", 3))))
        #expect(directives.count == 2)
        guard case .recampaign = directives.last else {
            Issue.record("no recampaign after the lease became uncertain")
            return
        }
        #expect(state.role.token == nil)
        #expect(state.own == nil)
    }

    @Test func aKeepAliveCountsFromWhenItWasSentNotAnswered() {
        var state = leader(candidate("a", 3), requestedAt: .zero, now: .zero)
        // Sent at 2 s, answered at 2.9 s: the lease is known alive until 2 + 3, not 2.9 + 3.
        #expect(state.keepAliveAnswered(requestedAt: .seconds(2), ttl: ttl, now: .milliseconds(2_900)) == [])
        #expect(state.leaseSafeUntil == .milliseconds(4_500))
        // A late answer to an older keep-alive never moves the safe time back.
        _ = state.keepAliveAnswered(requestedAt: .seconds(1), ttl: ttl, now: .seconds(3))
        #expect(state.leaseSafeUntil == .milliseconds(4_500))
        #expect(state.tick(now: .milliseconds(4_499)) == [])
        #expect(state.tick(now: .milliseconds(4_500)).count == 2)
    }

    @Test func aLostLeaseEndsLeadershipAtOnce() {
        for lose in [
            { (state: inout ElectionState) in state.keepAliveAnswered(requestedAt: .seconds(1), ttl: .zero, now: .seconds(1)) },
            { (state: inout ElectionState) in state.observedDelete(key: Array("/s/election/a".utf8), now: .seconds(1)) },
            { (state: inout ElectionState) in state.observed([], now: .seconds(1)) },
            { (state: inout ElectionState) in
                var recreated = ElectionCandidate(key: Array("/s/election/a".utf8), address: "x", createRevision: 40, lease: 1)
                recreated.address = "someone else"
                return state.observedPut(recreated, now: .seconds(1))
            },
        ] {
            var state = leader(candidate("a", 3), requestedAt: .zero, now: .zero)
            #expect(state.role.token != nil)
            let directives = lose(&state)
            #expect(state.role.token == nil)
            guard case .recampaign? = directives.last else {
                Issue.record("no recampaign: \(directives)")
                continue
            }
        }
    }

    @Test func resigningLeavesWithoutRecampaigning() {
        var state = leader(candidate("a", 3), requestedAt: .zero, now: .zero)
        #expect(state.resigned(now: .seconds(1)) == [.roleChanged(.follower(leader: nil))])
        #expect(state.tick(now: .seconds(10)) == [])
    }
}
