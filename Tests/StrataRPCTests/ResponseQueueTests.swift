@testable import StrataRPC
import Testing

/// The send queue of a server call's responses (pure bookkeeping; waiters are plain ints).
@Suite struct ResponseQueueTests {
    @Test func messagesGoOutOneAtATimeInOrder() {
        var queue = ResponseQueue<Int>()
        guard case .start(let first) = queue.enqueue([1]) else { Issue.record("the first message starts at once"); return }
        #expect(first == [1])
        guard case .queued(wait: false) = queue.enqueue([2]) else { Issue.record("queued behind the first"); return }
        guard case .queued(wait: false) = queue.enqueue([3]) else { Issue.record("queued behind the first"); return }
        #expect(queue.completed(success: true).send == [2])
        #expect(queue.completed(success: true).send == [3])
        let last = queue.completed(success: true)
        #expect(last.send == nil)
        #expect(queue.isIdle)
        guard case .start = queue.enqueue([4]) else { Issue.record("an idle queue starts at once"); return }
    }

    @Test func aSenderWaitsOverTheByteLimitUntilSendsDrainIt() {
        var queue = ResponseQueue<Int>()
        _ = queue.enqueue([0])
        let half = [UInt8](repeating: 0, count: ResponseQueue<Int>.byteLimit / 2 + 1)
        guard case .queued(wait: false) = queue.enqueue(half) else { Issue.record("within the limit"); return }
        guard case .queued(wait: true) = queue.enqueue(half) else { Issue.record("over the limit"); return }
        #expect(queue.wait(7))
        let next = queue.completed(success: true)  // [0] went, one half starts: back within the limit
        #expect(next.send?.count == half.count)
        #expect(next.wake == [7])
        #expect(!queue.wait(8))  // room now: no waiting
    }

    @Test func aFailedSendDropsTheQueueAndRefusesLaterSends() {
        var queue = ResponseQueue<Int>()
        _ = queue.enqueue([1])
        _ = queue.enqueue([UInt8](repeating: 0, count: ResponseQueue<Int>.byteLimit + 1))
        #expect(queue.wait(3))
        var drainedRan = false
        #expect(queue.whenDrained { } == nil)
        let next = queue.completed(success: false)
        #expect(next.send == nil)
        #expect(next.wake == [3])
        if let drained = next.drained { drainedRan = true; drained() }
        #expect(drainedRan)
        #expect(queue.failed)
        guard case .failed = queue.enqueue([2]) else { Issue.record("a failed call refuses sends"); return }
    }

    @Test func theStatusWaitsForQueuedMessages() {
        var queue = ResponseQueue<Int>()
        #expect(queue.whenDrained { } != nil)  // idle: the status goes at once
        _ = queue.enqueue([1])
        _ = queue.enqueue([2])
        #expect(queue.whenDrained { } == nil)
        #expect(queue.completed(success: true).drained == nil)  // [2] still to go
        #expect(queue.completed(success: true).drained != nil)
    }
}
