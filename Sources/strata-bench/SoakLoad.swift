import Foundation
import StrataCluster
import StrataCore
import StrataWire

/// The soak's load: one ingest loop, `queryLoops` query loops, and the worker killer, which
/// runs in the caller's task (it alone touches the child processes).
struct SoakLoad: Sendable {
    let client: ClusterBench.ClusterClient
    let corpus: SoakCorpus
    let tally: SoakTally
    let queryLoops: Int

    /// Ingest + queries for `plan.loadSeconds`, a worker SIGKILLed every `killEverySeconds` in
    /// turn and restarted `downSeconds` later.
    func run(nodes: ClusterBench.ChildNodes, plan: SoakPlan) async throws {
        let clock = ContinuousClock()
        let end = clock.now + .seconds(plan.loadSeconds)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await ingestLoop(until: end) }
            for loop in 0..<queryLoops {
                group.addTask { await queryLoop(seed: corpus.seed &+ UInt64(loop) &+ 1, until: end) }
            }
            var victim = 0
            var nextKill = clock.now + .seconds(plan.killEverySeconds)
            while nextKill < end {
                try await Task.sleep(until: nextKill, clock: clock)
                let worker = nodes.workers[victim]
                nodes.kill(worker)
                tally.killed()
                SoakBench.progress("\(format(Double(plan.loadSeconds) - (end - clock.now).seconds, 0)) s: SIGKILL \(worker.name) (\(worker.address))")
                try await Task.sleep(for: .seconds(plan.downSeconds))
                let started = clock.now
                try nodes.restartWorker(victim, settings: plan.workerSettings)
                tally.restarted(after: (clock.now - started).seconds)
                victim = (victim + 1) % nodes.workers.count
                nextKill += .seconds(plan.killEverySeconds)
            }
            try await group.waitForAll()
        }
    }

    /// Queries only, for `seconds` (the quiet phase: no new data, no kills).
    func queriesOnly(seconds: Int) async throws {
        let end = ContinuousClock.now + .seconds(seconds)
        await withTaskGroup(of: Void.self) { group in
            for loop in 0..<queryLoops {
                group.addTask { await queryLoop(seed: corpus.seed &+ 1000 &+ UInt64(loop), until: end) }
            }
        }
    }

    private func ingestLoop(until end: ContinuousClock.Instant) async {
        var batch = 0
        while ContinuousClock.now < end {
            let documents = corpus.batch(batch)
            do {
                let summary = try await client.ingest(namespace: SoakCorpus.namespace, batches: [documents])
                tally.ingested(batch: batch, documents, rejected: summary.rejected)
            } catch {
                tally.ingestFailed(error)
                // A refused write waits a little: the cluster is short of a replica right now.
                try? await Task.sleep(for: .milliseconds(200))
            }
            batch += 1
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private func queryLoop(seed: UInt64, until end: ContinuousClock.Instant) async {
        var rng = SplitMix64(seed: seed)
        let clock = ContinuousClock()
        while clock.now < end {
            let request = QueryRequest(namespace: SoakCorpus.namespace, text: corpus.query(&rng), mode: .lexical, topK: 10, tokenBudget: 2000)
            let started = clock.now
            do {
                let answer = try await client.query(request)
                tally.query(degraded: answer.header?.degraded ?? true, seconds: (clock.now - started).seconds)
            } catch {
                tally.queryFailed(error)
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Until every worker at `workers` serves and every slot is fully replicated
    /// (`ClusterReadiness`, as `strata status --wait-ready`).
    static func waitReady(_ client: ClusterBench.ClusterClient, workers: [String], timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var missing: [String] = ["no answer from the coordinator"]
        while clock.now < deadline {
            if let status = try? await client.status() {
                let readiness = ClusterReadiness(
                    slotCount: Int(status.slotCount), fullyReplicated: Int(status.slotsFullyReplicated), unavailable: Int(status.slotsUnavailable),
                    workers: status.nodes.filter { $0.role == .worker }.map { .init(id: $0.nodeID, address: $0.address, state: $0.state) },
                    expectedWorkers: workers)
                if readiness.isReady { return }
                missing = readiness.waitingFor
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ClusterBench.BenchFailure("the cluster was not ready within \(timeout): waiting for \(missing.joined(separator: "; "))")
    }
}
