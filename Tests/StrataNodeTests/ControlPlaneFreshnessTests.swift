import Foundation
@testable import StrataNode
import Testing

/// A coordinator that lost etcd flags its answers stale once its map is older than
/// `coordinator.stale_after_ms`, and stops once etcd confirms the map again.
@Suite struct ControlPlaneFreshnessTests {
    @Test func answersAreStaleOnlyAfterTheConfiguredTimeWithoutConfirmation() {
        let start = ContinuousClock.now
        let freshness = ControlPlaneFreshness(staleAfter: .milliseconds(3_000), now: start)
        #expect(freshness.staleReason(at: start + .milliseconds(3_000)) == nil)
        freshness.failed("etcd at 127.0.0.1:1 refused the connection")
        let reason = freshness.staleReason(at: start + .milliseconds(3_001))
        #expect(reason?.contains("3.0 s ago") == true)
        #expect(reason?.contains("coordinator.stale_after_ms 3000") == true)
        #expect(reason?.contains("refused the connection") == true)
        #expect(freshness.age(at: start + .seconds(5)) == .seconds(5))

        freshness.confirm(at: start + .seconds(5))
        #expect(freshness.staleReason(at: start + .seconds(7)) == nil)
        #expect(freshness.staleReason(at: start + .seconds(9))?.contains("refused") == false)
        // A confirmation that arrives late never moves the time back.
        freshness.confirm(at: start + .seconds(1))
        #expect(freshness.age(at: start + .seconds(6)) == .seconds(1))
    }
}
