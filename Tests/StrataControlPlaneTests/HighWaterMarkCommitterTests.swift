import Foundation
import StrataControlPlane
import StrataTestSupport
import Synchronization
import Testing

@Suite struct HighWaterMarkCommitterTests {
    /// A store that counts commits and can hold them, to see what concurrent callers share.
    final class CountingStoreTestDouble: ControlPlaneStore {
        let inner: LocalFileControlPlaneStore
        let batches = Mutex<[[Int: UInt64]]>([])
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let holding = Atomic<Bool>(false)

        init(_ inner: LocalFileControlPlaneStore) { self.inner = inner }
        var location: String { inner.location }
        func load() async throws(ControlPlaneError) -> ControlPlaneSnapshot { try await inner.load() }
        func watch(after revision: ControlPlaneRevision) -> AsyncThrowingStream<ControlPlaneUpdate, any Error> { inner.watch(after: revision) }

        func commit(_ batch: ControlPlaneBatch) async throws(ControlPlaneError) -> ControlPlaneRevision {
            batches.withLock { $0.append(batch.highWaterMarks) }
            if holding.load(ordering: .acquiring) {
                await withCheckedContinuation { continuation in gate.withLock { $0 = continuation } }
            }
            return try await inner.commit(batch)
        }

        func release() {
            holding.store(false, ordering: .releasing)
            gate.withLock { $0?.resume(); $0 = nil }
        }
    }

    private func withStore<T>(_ body: (CountingStoreTestDouble) async throws -> T) async throws -> T {
        let directory = TestSupport.temporaryDirectory("strata-hwm")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = CountingStoreTestDouble(try LocalFileControlPlaneStore(directory: directory))
        return try await body(store)
    }

    @Test func callersDuringACommitShareTheNextOneAndMarksNeverGoDown() async throws {
        try await withStore { store in
            let committer = HighWaterMarkCommitter(store: store, durable: [:])
            let leader = store.inner.leader
            store.holding.store(true, ordering: .releasing)
            let first = Task { try await committer.record([1: 10], leader: leader) }
            // Wait until the first commit is held in the store.
            while store.gate.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(1)) }
            // Meanwhile: slot 1 lower then higher (out of order), slot 2, slot 3 twice.
            let waiting = [
                Task { try await committer.record([1: 12, 2: 5], leader: leader) },
                Task { try await committer.record([1: 11, 3: 7], leader: leader) },
                Task { try await committer.record([3: 6], leader: leader) },
            ]
            while await committer.waitingCallers < 3 { try await Task.sleep(for: .milliseconds(1)) }
            store.release()
            try await first.value
            for task in waiting { try await task.value }
            #expect(store.batches.withLock { $0 } == [[1: 10], [1: 12, 2: 5, 3: 7]])
            #expect(try await store.load().highWaterMarks == [1: 12, 2: 5, 3: 7])
            // Already durable: no commit at all.
            try await committer.record([1: 12, 3: 2], leader: leader)
            #expect(store.batches.withLock { $0.count } == 2)
            #expect(await committer.commits == 2)
        }
    }

    @Test func aRefusedCommitFailsEveryCallerInIt() async throws {
        try await withStore { store in
            let committer = HighWaterMarkCommitter(store: store, durable: [4: 3])
            var stale = store.inner.leader
            stale.epoch += 100
            let error = await #expect(throws: ControlPlaneError.self) { try await committer.record([4: 9], leader: stale) }
            #expect(error?.kind == .notLeader)
            #expect(try await store.load().highWaterMarks.isEmpty)
            // The next caller, with the right leadership, gets its marks written.
            try await committer.record([4: 9], leader: store.inner.leader)
            #expect(try await store.load().highWaterMarks == [4: 9])
        }
    }
}
