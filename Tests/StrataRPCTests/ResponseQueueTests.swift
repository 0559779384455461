@testable import StrataRPC
import Testing

/// The send queue of a server call's responses (pure bookkeeping; waiters are plain ints).
@Suite struct ResponseQueueTests {
    @Test func messagesGoOutOneAtATimeInOrder() {
        var queue = ResponseQueue<Int>()
        let first = queue.enqueue([1])
        guard case .start(let message) = first, message == [1] else { Issue.record("the first message starts at once"); return }
        let second = queue.enqueue([2]), third = queue.enqueue([3])
        guard case .queued(wait: false) = second, case .queued(wait: false) = third else { Issue.record("queued behind the first"); return }
        let afterFirst = queue.completed(success: true)
        let afterSecond = queue.completed(success: true)
        let afterThird = queue.completed(success: true)
        #expect(afterFirst.send == [2] && afterSecond.send == [3] && afterThird.send == nil)
        #expect(queue.isIdle)
        let fourth = queue.enqueue([4])
        guard case .start = fourth else { Issue.record("an idle queue starts at once"); return }
    }

    @Test func aSenderWaitsOverTheByteLimitUntilSendsDrainIt() {
        var queue = ResponseQueue<Int>()
        _ = queue.enqueue([0])
        let half = [UInt8](repeating: 0, count: ResponseQueue<Int>.byteLimit / 2 + 1)
        let within = queue.enqueue(half)
        guard case .queued(wait: false) = within else { Issue.record("within the limit"); return }
        let over = queue.enqueue(half)
        guard case .queued(wait: true) = over else { Issue.record("over the limit"); return }
        let waits = queue.wait(7)
        #expect(waits)
        let next = queue.completed(success: true)  // [0] went, one half starts: back within the limit
        #expect(next.send?.count == half.count)
        #expect(next.wake == [7])
        let waitsAgain = queue.wait(8)
        #expect(!waitsAgain)  // room now: no waiting
    }

    @Test func aFailedSendDropsTheQueueAndRefusesLaterSends() {
        var queue = ResponseQueue<Int>()
        _ = queue.enqueue([1])
        _ = queue.enqueue([UInt8](repeating: 0, count: ResponseQueue<Int>.byteLimit + 1))
        let waits = queue.wait(3)
        #expect(waits)
        let kept = queue.whenDrained {}
        #expect(kept == nil)
        let next = queue.completed(success: false)
        #expect(next.send == nil)
        #expect(next.wake == [3])
        #expect(next.drained != nil)  // the status still goes (it fails too: the client is gone)
        #expect(queue.failed)
        let later = queue.enqueue([2])
        guard case .failed = later else { Issue.record("a failed call refuses sends"); return }
    }

    @Test func theStatusWaitsForQueuedMessages() {
        var queue = ResponseQueue<Int>()
        let atOnce = queue.whenDrained {}
        #expect(atOnce != nil)  // idle: the status goes at once
        _ = queue.enqueue([1])
        _ = queue.enqueue([2])
        let kept = queue.whenDrained {}
        #expect(kept == nil)
        let afterFirst = queue.completed(success: true)
        #expect(afterFirst.drained == nil)  // [2] still to go
        let afterSecond = queue.completed(success: true)
        #expect(afterSecond.drained != nil)
    }
}
