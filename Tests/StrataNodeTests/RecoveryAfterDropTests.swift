import Foundation
import StrataCore
import StrataRPC
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

/// Issue 12, item 1: a slot whose latest sequences left no operation behind (a namespace drop
/// that found nothing in the slot) or several (a drop that removed several documents) must
/// still stream and copy completely, or a dead worker's slots are never re-replicated.
@Suite(.serialized) struct RecoveryAfterDropTests {
    private static func put(_ sequence: UInt64, _ namespace: String, _ id: String, _ text: String) -> StrataWire.SlotWrite {
        let chunk = ChunkMessage(namespace: namespace, contentHash: ContentHash.of(text),
                                 provenance: ChunkProvenance(documentID: id, byteStart: 0, byteEnd: text.utf8.count, lineStart: 1, lineEnd: 1),
                                 ordinal: 0, text: text, tokenCount: UInt32(text.count / 4 + 1))
        return StrataWire.SlotWrite(sequence: sequence, namespace: namespace, operation: .put(PutDocument(documentID: id, chunks: [chunk])))
    }

    @Test func aSlotStreamsAfterDropsThatLeftNoneOrSeveralOperations() async throws {
        let worker = try WorkerUnderTest()
        try await worker.apply(5, [
            Self.put(1, "keep", "k.md", "a document that stays"),
            Self.put(2, "gone", "g1.md", "a document that goes"),
            Self.put(3, "gone", "g2.md", "another document that goes"),
            // Removes two documents at one sequence: two deletions share sequence 4.
            StrataWire.SlotWrite(sequence: 4, namespace: "gone", operation: .dropNamespace),
            // Finds nothing: sequence 5 holds no operation at all.
            StrataWire.SlotWrite(sequence: 5, namespace: "never", operation: .dropNamespace),
        ])
        let records = try await worker.stream(5, after: 0)
        #expect(records.last == .endSequence(5))
        // k.md's put, both deletions at 4 as one batch, and 5 as an empty batch.
        #expect(records.count == 5)
        #expect(records.contains(.batch(SlotBatch(sequence: 4, writes: ["g1.md", "g2.md"].map {
            StrataWire.SlotWrite(sequence: 4, namespace: "gone", operation: .deleteDocument(id: $0))
        }))))
        #expect(records.dropLast().last == .batch(SlotBatch(sequence: 5, writes: [])))
        let delta = try await worker.stream(5, after: 3)
        #expect(delta.last == .endSequence(5))
        await worker.destroy()
    }

    /// The issue's reproduction in the simulated cluster: two namespaces, one dropped, a worker
    /// killed; every slot must be back to R up-to-date replicas within a bounded number of
    /// heartbeat rounds, with every document of the kept namespace readable.
    @Test func reReplicationCompletesAfterANamespaceDrop() async throws {
        let cluster = try SimulatedCluster(seed: 12, workers: 3, replicas: 2)
        #expect(await cluster.settle())
        for name in ["keep", "gone"] {
            _ = try await cluster.createNamespace(CreateNamespaceRequest(name: name, tokenizer: .estimate))
            let documents = (0..<24).map { Document(id: "\(name)-\($0).md", text: "\(name) document number \($0) about recovery") }
            let summary = try await cluster.ingest([IngestRequest(namespace: name, documents: documents)])
            #expect(summary.documents == 24)
        }
        _ = try await cluster.dropNamespace("gone")
        await cluster.stopWorker(0)
        // Found dead after 6 rounds (settle alone would stop at once: until then the map
        // still counts the killed worker), then at most a few copies per worker per round.
        for _ in 0..<8 { await cluster.round() }
        let settled = await cluster.settle(rounds: 120)
        let status = try await cluster.clusterStatus()
        #expect(settled, "after 120 rounds: \(status.slotsUnderReplicated) slots under-replicated, \(status.transfers.count) copies in flight")
        let answer = try await cluster.query(QueryRequest(namespace: "keep", text: "recovery", mode: .lexical, topK: 100, tokenBudget: 100_000))
        guard case .header(let header)? = answer.first else { Issue.record("no header"); return }
        #expect(!header.degraded)
        let found = Set(answer.compactMap { item -> String? in
            if case .passage(let passage) = item { return passage.provenance.documentID }
            return nil
        })
        #expect(found == Set((0..<24).map { "keep-\($0).md" }))
        await cluster.destroy()
    }
}
