import Foundation
import StrataCore
import StrataRPC
import StrataWire
import Testing

/// Issue 12, item 5: a query asks another live replica of a slot when the first does not
/// answer -- refused, failed, or silent past the hedge delay -- for statistics, search and
/// chunk texts, and is degraded only when no replica of a slot answered.
@Suite(.serialized) struct QueryFailoverTests {
    private static func prepared(replicas: Int, seed: UInt64) async throws -> SimulatedCluster {
        let cluster = try SimulatedCluster(seed: seed, workers: 3, replicas: replicas)
        #expect(await cluster.settle())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", dimension: 2, tokenizer: .estimate))
        let documents = (0..<48).map { Document(id: "doc-\($0)", chunks: [ChunkInput(text: "record \($0) about failover", vector: [1, Float($0)])]) }
        let summary = try await cluster.ingest([IngestRequest(namespace: "docs", documents: documents)])
        #expect(summary.documents == 48)
        return cluster
    }

    /// Every mode, so that statistics, search and (hybrid) chunk texts all fail over.
    private static let requests = [
        QueryRequest(namespace: "docs", text: "failover", mode: .lexical, topK: 100, tokenBudget: 100_000),
        QueryRequest(namespace: "docs", vector: [1, 3], mode: .vector, topK: 100, tokenBudget: 100_000),
        QueryRequest(namespace: "docs", text: "failover record", vector: [1, 3], mode: .hybrid, topK: 60, tokenBudget: 100_000),
    ]

    private static func check(_ cluster: SimulatedCluster, expectDegraded: Bool) async throws {
        for request in requests {
            let answer = try await cluster.query(request)
            guard case .header(let header)? = answer.first else { Issue.record("no header"); return }
            #expect(header.degraded == expectDegraded, "\(request.mode): \(header.degradedReason)")
            if !expectDegraded {
                #expect(Set(SimulatedCluster.documents(answer)).count == min(48, Int(request.topK)), "\(request.mode)")
            }
        }
    }

    @Test func aKilledReplicaIsReplacedByTheOtherOneAtOnce() async throws {
        let cluster = try await Self.prepared(replicas: 2, seed: 21)
        // Down, and the coordinator does not know yet (no heartbeat round has passed).
        await cluster.stopWorker(0)
        try await Self.check(cluster, expectDegraded: false)
        await cluster.destroy()
    }

    @Test func aSilentReplicaIsHedgedWithinTheDeadline() async throws {
        let cluster = try await Self.prepared(replicas: 2, seed: 22)
        // Accepts every call and never answers; each query would wait for its whole deadline.
        cluster.network.stall(cluster.workerAddresses[1])
        try await Self.check(cluster, expectDegraded: false)
        await cluster.destroy()
    }

    @Test func aFailingReplicaIsReplacedForEveryPhase() async throws {
        let cluster = try await Self.prepared(replicas: 2, seed: 23)
        for method in [MethodPath.workerCollectStatistics, MethodPath.workerSearch, MethodPath.workerFetchChunks] {
            cluster.network.fail(cluster.workerAddresses[2], method: method, with: RPCError(.unavailable, "simulated failure of \(method)"))
            try await Self.check(cluster, expectDegraded: false)
            cluster.network.fail(cluster.workerAddresses[2], method: method, with: nil)
        }
        await cluster.destroy()
    }

    @Test func withOneReplicaALostWorkerStillDegradesTheAnswer() async throws {
        let cluster = try await Self.prepared(replicas: 1, seed: 24)
        await cluster.stopWorker(0)
        try await Self.check(cluster, expectDegraded: true)
        await cluster.destroy()
    }
}
