import Foundation
import StrataCore
import StrataRPC
import StrataWire
import Testing

/// Issue 19: when one worker answers for every slot, the coordinator skips the statistics
/// round trip (that worker's own BM25 statistics are the global ones) and the answer is the
/// one the statistics phase gives: the same passages with the same scores as a cluster whose
/// workers' statistics are summed first.
@Suite(.serialized) struct QueryStatisticsPhaseTests {
    private static let documents = (0..<40).map { i in
        Document(id: "doc-\(i)", chunks: [ChunkInput(
            text: "record \(i) " + String(repeating: i % 3 == 0 ? "failover statistics " : "replica ", count: 1 + i % 5)
                + (i % 4 == 0 ? "statistics of the cluster" : "plain words"),
            vector: [1, Float(i)])])
    }

    private static let requests = [
        QueryRequest(namespace: "docs", text: "failover statistics", mode: .lexical, topK: 12, tokenBudget: 100_000),
        QueryRequest(namespace: "docs", text: "statistics cluster replica", vector: [1, 7], mode: .hybrid, topK: 12, tokenBudget: 100_000),
        QueryRequest(namespace: "docs", text: "record replica", mode: .lexical, topK: 12, tokenBudget: 100_000,
                     filter: Filter(documentPrefix: "doc-1")),
    ]

    private static func prepared(workers: Int, seed: UInt64) async throws -> SimulatedCluster {
        let cluster = try SimulatedCluster(seed: seed, workers: workers, replicas: 1)
        #expect(await cluster.settle())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", dimension: 2, tokenizer: .estimate))
        let summary = try await cluster.ingest([IngestRequest(namespace: "docs", documents: documents)])
        #expect(summary.documents == UInt64(documents.count))
        return cluster
    }

    /// Each passage's document, byte range and score, in order.
    private static func passages(_ answer: [QueryResponse]) -> [String] {
        answer.compactMap { item in
            guard case .passage(let passage) = item else { return nil }
            let p = passage.provenance
            return "\(p.documentID) \(p.byteStart)..<\(p.byteEnd) \(passage.score) \(passage.tokens)"
        }
    }

    @Test func oneWorkerAnswersWithoutTheStatisticsRoundTrip() async throws {
        let cluster = try await Self.prepared(workers: 1, seed: 41)
        // The statistics call would fail (and with one replica degrade the answer): it is not made.
        cluster.network.fail(cluster.workerAddresses[0], method: MethodPath.workerCollectStatistics,
                             with: RPCError(.unavailable, "simulated failure of CollectStatistics"))
        for request in Self.requests {
            let answer = try await cluster.query(request)
            guard case .header(let header)? = answer.first else { Issue.record("no header"); continue }
            #expect(!header.degraded, "\(request.mode): \(header.degradedReason)")
            #expect(!Self.passages(answer).isEmpty, "\(request.mode)")
        }
        await cluster.destroy()
    }

    @Test func oneWorkersScoresAreThoseOfSummedStatistics() async throws {
        let one = try await Self.prepared(workers: 1, seed: 42)
        let three = try await Self.prepared(workers: 3, seed: 43)
        for request in Self.requests {
            let alone = Self.passages(try await one.query(request))
            let summed = Self.passages(try await three.query(request))
            #expect(!alone.isEmpty)
            #expect(alone == summed, "\(request.mode) \(request.text)")
        }
        // After deletes, too: the worker counts what it holds now.
        let deleted = DeleteDocumentsRequest(namespace: "docs", documentIDs: (0..<40).filter { $0 % 3 == 0 }.map { "doc-\($0)" })
        _ = try await one.delete(deleted)
        _ = try await three.delete(deleted)
        for request in Self.requests {
            #expect(Self.passages(try await one.query(request)) == Self.passages(try await three.query(request)), "\(request.text)")
        }
        await one.destroy()
        await three.destroy()
    }
}
