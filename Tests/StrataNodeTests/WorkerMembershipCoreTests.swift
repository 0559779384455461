@testable import StrataNode
import StrataWire
import Testing

/// The worker's membership decisions without a coordinator, a store or a clock.
@Suite struct WorkerMembershipCoreTests {
    private func fetch(_ slot: UInt32) -> SlotDirective {
        SlotDirective(slot: slot, action: .fetch, sourceAddress: "w2:1", fromSequence: 4)
    }

    @Test("registers first, heartbeats under the assigned incarnation, registers again after a failure or reregister")
    func calls() {
        var core = WorkerMembershipCore(dropGrace: .seconds(1))
        #expect(core.needsRegistration)
        _ = core.registered(incarnation: 7, directives: [], now: .zero)
        #expect(!core.needsRegistration && core.incarnation == 7)
        let first = core.callFailed("w1: unavailable"), again = core.callFailed("w1: unavailable")
        #expect(first && !again, "the same error is reported once")
        #expect(core.needsRegistration && core.lastError == "w1: unavailable")
        _ = core.registered(incarnation: 8, directives: [], now: .zero)
        #expect(core.lastError == nil && core.incarnation == 8)
        _ = core.heartbeatAnswered(reregister: true, directives: [], now: .zero)
        #expect(core.needsRegistration)
    }

    @Test("one copy per slot at a time: a FETCH repeated while the copy runs starts nothing")
    func oneCopyPerSlot() {
        var core = WorkerMembershipCore(dropGrace: .seconds(1))
        let started = core.registered(incarnation: 1, directives: [fetch(3), fetch(5)], now: .zero)
        #expect(started == [.fetch(fetch(3)), .fetch(fetch(5))])
        let repeated = core.heartbeatAnswered(reregister: false, directives: [fetch(3)], now: .zero)
        #expect(repeated.isEmpty)
        core.copyEnded(3)
        #expect(core.fetching == [5])
        let again = core.heartbeatAnswered(reregister: false, directives: [fetch(3)], now: .zero)
        #expect(again == [.fetch(fetch(3))])
    }

    @Test("a DROP waits for the grace, and never runs while the same set serves or fetches the slot or a copy fills it")
    func drops() {
        var core = WorkerMembershipCore(dropGrace: .seconds(1))
        let drop3 = SlotDirective(slot: 3, action: .drop, fromSequence: 9)
        let drop5 = SlotDirective(slot: 5, action: .drop, fromSequence: 2)
        let serve5 = SlotDirective(slot: 5, action: .serve)
        let drop6 = SlotDirective(slot: 6, action: .drop, fromSequence: 1)
        let first = core.registered(incarnation: 1, directives: [drop3, drop5, serve5, fetch(6)], now: .zero)
        #expect(first == [.fetch(fetch(6))])
        let afterGrace = core.heartbeatAnswered(reregister: false, directives: [drop3, drop5, serve5, drop6], now: .seconds(1))
        #expect(afterGrace == [.drop(.init(slot: 3, ifAtMost: 9))], "slot 5 is also served, slot 6 is being copied")
        core.dropCarriedOut(3)
        core.copyEnded(6)
        let restarted = core.heartbeatAnswered(reregister: false, directives: [drop3, drop6], now: .seconds(2))
        #expect(restarted.isEmpty, "a carried-out drop and one no longer blocked start their grace again")
        let due = core.heartbeatAnswered(reregister: false, directives: [drop3, drop6], now: .seconds(3))
        #expect(due == [.drop(.init(slot: 3, ifAtMost: 9)), .drop(.init(slot: 6, ifAtMost: 1))])
    }
}
