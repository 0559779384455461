import Foundation
import StrataCluster
import StrataCore
import StrataRPC
import Synchronization
import Testing

@testable import StrataNode

/// `HedgedReads` against a simulated cluster's membership, with calls the test makes up: a
/// read whose slots have no other replica runs its call in the calling task (no task group,
/// no hedge timer) and keeps the query's deadline, cancellation and failover; a read whose
/// slots have another replica still hedges.
@Suite(.serialized) struct HedgedReadTests {
    private static func cluster(replicas: Int, seed: UInt64) async throws -> SimulatedCluster {
        let cluster = try SimulatedCluster(seed: seed, workers: 3, replicas: replicas)
        #expect(await cluster.settle())
        return cluster
    }

    private static func reads(_ cluster: SimulatedCluster, deadline: Duration = .seconds(600), hedgeDelayMs: Double = 1000) throws -> HedgedReads {
        let membership = try #require(cluster.coordinator).membership
        let settings = try LatencyTracker.Settings(minimumDelayMs: hedgeDelayMs, maximumDelayMs: hedgeDelayMs)
        return HedgedReads(membership: membership, latencies: LatencyBook(settings: settings), deadline: .now + deadline)
    }

    private static func targets(_ cluster: SimulatedCluster) throws -> [HedgedReads.Target] {
        HedgedReads.targets(try #require(cluster.coordinator).membership.queryPlan())
    }

    /// The identity of the task running now.
    private static func currentTask() -> Int {
        withUnsafeCurrentTask { $0?.hashValue ?? 0 }
    }

    @Test func aSoleReplicaIsReadInTheCallingTask() async throws {
        let cluster = try await Self.cluster(replicas: 1, seed: 41)
        let reads = try Self.reads(cluster)
        let targets = try Self.targets(cluster)
        #expect(targets.count == 3)
        let caller = Self.currentTask()
        let outcome = await reads.read([targets[0]]) { target, _ in
            (worker: target.worker, task: Self.currentTask())
        }
        #expect(outcome.answers.map(\.value.worker) == [targets[0].worker])
        #expect(outcome.answers.map(\.value.task) == [caller], "the call ran in a task of its own")
        #expect(outcome.unanswered.isEmpty && outcome.failures.isEmpty)
        // Several targets still run at once, each in a child task.
        let all = await reads.read(targets) { target, _ in target.worker }
        #expect(Set(all.answers.map(\.value)) == Set(targets.map(\.worker)))
        await cluster.destroy()
    }

    @Test func aSoleReplicasCallHasTheQuerysDeadline() async throws {
        let cluster = try await Self.cluster(replicas: 1, seed: 42)
        let target = try #require(try Self.targets(cluster).first)
        let timeouts = Mutex<[Duration]>([])
        let reads = try Self.reads(cluster, deadline: .seconds(600))
        let outcome = await reads.read([target]) { _, options -> Int in
            timeouts.withLock { $0.append(options.timeout ?? .zero) }
            throw RPCError(.deadlineExceeded, "Deadline Exceeded (made up by the test)")
        }
        let timeout = try #require(timeouts.withLock { $0 }.first)
        #expect(timeout > .seconds(500) && timeout <= .seconds(600))
        // No other replica to ask: the worker's slots are unanswered, and the failure says why.
        #expect(outcome.answers.isEmpty)
        #expect(outcome.unanswered.sorted() == target.slots.sorted())
        #expect(outcome.failures.count == 1 && outcome.failures[0].contains("Deadline Exceeded"))

        // A deadline that has passed: no call is made.
        let passed = try Self.reads(cluster, deadline: .zero)
        let late = await passed.read([target]) { _, _ -> Int in
            Issue.record("a call was made after the query's deadline")
            return 0
        }
        #expect(late.answers.isEmpty && late.unanswered.sorted() == target.slots.sorted())
        #expect(late.failures.count == 1 && late.failures[0].contains("deadline passed"))
        await cluster.destroy()
    }

    @Test func cancellingTheQueryCancelsASoleReplicasCall() async throws {
        let cluster = try await Self.cluster(replicas: 1, seed: 43)
        let reads = try Self.reads(cluster)
        let target = try #require(try Self.targets(cluster).first)
        let (calls, signal) = AsyncStream<Void>.makeStream()
        let began = ContinuousClock.now
        let read = Task {
            await reads.read([target]) { _, _ -> Int in
                signal.yield()
                try await Task.sleep(for: .seconds(3600))
                return 0
            }
        }
        for await _ in calls { break }
        read.cancel()
        let outcome = await read.value
        #expect(ContinuousClock.now - began < .seconds(600), "the call ran on after the query was cancelled")
        #expect(outcome.answers.isEmpty && outcome.unanswered.sorted() == target.slots.sorted())
        #expect(outcome.failures.count == 1 && outcome.failures[0].contains("CancellationError"))
        await cluster.destroy()
    }

    @Test func aSlotWithAnotherReplicaIsStillHedged() async throws {
        let cluster = try await Self.cluster(replicas: 2, seed: 44)
        let reads = try Self.reads(cluster, hedgeDelayMs: 1)
        let target = try #require(try Self.targets(cluster).first)
        let silentCancelled = Mutex(false)
        let outcome = await reads.read([target]) { asked, _ -> WorkerID in
            guard asked.worker == target.worker else { return asked.worker }
            // Silent until the hedge's answer cancels it.
            do { try await Task.sleep(for: .seconds(3600)) } catch { silentCancelled.withLock { $0 = true } }
            throw CancellationError()
        }
        #expect(!outcome.answers.isEmpty && !outcome.answers.map(\.value).contains(target.worker))
        #expect(Set(outcome.answers.flatMap(\.target.slots)) == Set(target.slots))
        #expect(outcome.unanswered.isEmpty)
        #expect(silentCancelled.withLock { $0 })
        await cluster.destroy()
    }
}
