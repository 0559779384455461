import Dispatch
import Foundation
import Synchronization
import Testing

@testable import StrataNode

/// `offPool` exists so that long or blocking work does not take the cooperative pool's few
/// threads from heartbeats, ticks and queries (docs/architecture.md, "Long work stays off the
/// pool").
@Suite("offPool")
struct OffPoolTests {
    /// A value the test and the blocked calls share.
    final class Shared<Value: Sendable>: Sendable {
        let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
    }

    @Test("work blocked in offPool leaves the cooperative pool free to run other tasks")
    func blockedWorkLeavesThePoolFree() async throws {
        // More blocked calls than the pool has threads: run on the pool, they would take
        // every thread and the detached task below could not run until the hang guard.
        let blockedCalls = ProcessInfo.processInfo.activeProcessorCount * 2 + 2
        let gate = DispatchSemaphore(value: 0)
        let releasedByGuard = Shared(false)
        DispatchQueue.global().asyncAfter(deadline: .now() + 300) {
            releasedByGuard.value.withLock { $0 = true }
            for _ in 0..<blockedCalls { gate.signal() }
        }
        let entered = Shared(0)
        let blocked = Task {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<blockedCalls {
                    group.addTask {
                        try await offPool {
                            entered.value.withLock { $0 += 1 }
                            gate.wait()
                            return index
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        while entered.value.withLock({ $0 }) < blockedCalls { try await Task.sleep(for: .milliseconds(10)) }
        // Every call is blocked now; the pool still runs a new task.
        let answer = await Task.detached { 6 * 7 }.value
        #expect(answer == 42)
        #expect(!releasedByGuard.value.withLock { $0 }, "the pool ran nothing while offPool's work blocked")
        for _ in 0..<blockedCalls { gate.signal() }
        #expect(try await blocked.value == (0..<blockedCalls).reduce(0, +))
    }

    @Test("an error thrown off the pool reaches the caller")
    func errorsReachTheCaller() async {
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await offPool { throw Refused() } }
    }
}
