import Foundation
import StrataCore
import StrataRPC
import StrataWire
import Testing

/// Issue 12, items 3 and 4: an ingest never commits part of itself silently, and errors say
/// what is wrong (the right code, the field, the worker -- never a path on its disk).
@Suite(.serialized) struct HonestAnswerTests {
    private static func vectorDocument(_ id: String, _ vector: [Float]) -> Document {
        Document(id: id, chunks: [ChunkInput(text: "vector record \(id) about recovery", vector: vector)])
    }

    @Test func aVectorBeyondFP16IsRefusedBeforeAnythingIsWrittenAndTheAnswerSaysSo() async throws {
        let cluster = try SimulatedCluster(seed: 3, workers: 3, replicas: 2)
        #expect(await cluster.settle())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "vec", dimension: 4, tokenizer: .estimate))
        let good = (0..<20).map { Self.vectorDocument("good-\($0)", [1, Float($0), 0.5, -2]) }
        // Finite, but FP16 (the stored precision) ends at 65504: a worker would refuse it.
        let bad = Self.vectorDocument("bad", [3e38, 0, 0, 1])
        let summary = try await cluster.ingest([IngestRequest(namespace: "vec", documents: good + [bad])])
        #expect(summary.documents == 20)
        #expect(summary.rejected.map(\.documentID) == ["bad"])
        #expect(summary.rejected.first?.reason.contains("65504") == true, "\(summary.rejected)")
        #expect(summary.rejected.first?.retry == false)  // invalid: sending it again would not help
        #expect(try await cluster.namespaces().first { $0.name == "vec" }?.documents == 20)
        let answer = try await cluster.query(QueryRequest(namespace: "vec", text: "recovery", mode: .lexical, topK: 100, tokenBudget: 100_000))
        #expect(Set(SimulatedCluster.documents(answer)) == Set(good.map(\.id)))
        await cluster.destroy()
    }

    @Test func aPartlyReplicatedBatchListsExactlyTheDocumentsItDidNotStore() async throws {
        let cluster = try SimulatedCluster(seed: 4, workers: 3, replicas: 2)
        #expect(await cluster.settle())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", tokenizer: .estimate))
        // W = 2 of R = 2: every slot worker-2 serves cannot reach its quorum; the others can.
        cluster.network.partition(SimulatedCluster.coordinatorAddress, cluster.workerAddresses[2])
        let documents = (0..<40).map { Document(id: "doc-\($0)", text: "record \($0) about recovery") }
        let summary = try await cluster.ingest([IngestRequest(namespace: "docs", documents: documents)])
        let rejected = Set(summary.rejected.map(\.documentID))
        #expect(summary.documents > 0 && !rejected.isEmpty)
        #expect(Int(summary.documents) + rejected.count == documents.count)
        #expect(summary.rejected.allSatisfy { $0.retry && $0.reason.hasPrefix("not stored (UNAVAILABLE)") }, "\(summary.rejected)")
        #expect(try await cluster.namespaces().first { $0.name == "docs" }?.documents == summary.documents)
        cluster.network.healAll()
        #expect(await cluster.settle())
        let stored = documents.map(\.id).filter { !rejected.contains($0) }
        let answer = try await cluster.query(QueryRequest(namespace: "docs", text: "recovery", mode: .lexical, topK: 100, tokenBudget: 100_000))
        #expect(Set(stored).isSubset(of: SimulatedCluster.documents(answer)))
        // What was not stored is sent again, and now everything is.
        let again = try await cluster.ingest([IngestRequest(namespace: "docs", documents: documents.filter { rejected.contains($0.id) })])
        #expect(again.documents == UInt64(rejected.count) && again.rejected.isEmpty)
        #expect(try await cluster.namespaces().first { $0.name == "docs" }?.documents == 40)
        await cluster.destroy()
    }

    @Test func aFullDiskReachesTheClientAsResourceExhaustedNamingTheWorkerWithoutItsPaths() async throws {
        let cluster = try SimulatedCluster(seed: 5, workers: 2, replicas: 2)
        #expect(await cluster.settle())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", tokenizer: .estimate))
        let full = RPCError(.resourceExhausted, "disk full: write \(cluster.workerDirectory(1))/store/wal/00000001.wal: No space left on device")
        cluster.network.fail(cluster.workerAddresses[1], method: MethodPath.workerApplyWrites, with: full)
        let ingest = await #expect(throws: RPCError.self) {
            _ = try await cluster.ingest([IngestRequest(namespace: "docs", documents: [Document(id: "a.md", text: "some text")])])
        }
        let delete = await #expect(throws: RPCError.self) {
            _ = try await cluster.delete(DeleteDocumentsRequest(namespace: "docs", documentIDs: ["a.md"]))
        }
        for error in [ingest, delete] {
            #expect(error?.code == .resourceExhausted)
            #expect(error?.message.contains("worker-sim-1") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains(cluster.root) == false, "\(error?.message ?? "")")
            #expect(error?.message.contains("/store/") == false, "\(error?.message ?? "")")
        }
        await cluster.destroy()
    }

    @Test func aZeroVectorOrALexicalWeightOutside0To1IsRefusedNamingTheField() async throws {
        let cluster = try SimulatedCluster(seed: 6, workers: 2, replicas: 2)
        #expect(await cluster.settle())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "vec", dimension: 4, tokenizer: .estimate))
        _ = try await cluster.ingest([IngestRequest(namespace: "vec", documents: [Self.vectorDocument("a", [1, 2, 3, 4])])])
        let requests: [(QueryRequest, String)] = [
            (QueryRequest(namespace: "vec", vector: [0, 0, 0, 0], mode: .vector), "vector"),
            (QueryRequest(namespace: "vec", text: "record", vector: [1, 0, 0, 0], mode: .hybrid, lexicalWeight: 1.5), "lexical_weight"),
            (QueryRequest(namespace: "vec", text: "record", mode: .lexical, lexicalWeight: -0.25), "lexical_weight"),
            (QueryRequest(namespace: "vec", text: "record", mode: .lexical, lexicalWeight: .nan), "lexical_weight"),
        ]
        for (request, field) in requests {
            let error = await #expect(throws: RPCError.self) { _ = try await cluster.query(request) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.hasPrefix(field) == true, "\(error?.message ?? "")")
        }
        await cluster.destroy()
    }

    /// A passage merged from several chunks reports its best chunk's rank, so that passages in
    /// rank order are in score order.
    @Test func passagesRankByTheirBestChunk() async throws {
        let cluster = try SimulatedCluster(seed: 7, workers: 2, replicas: 2)
        #expect(await cluster.settle())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", tokenizer: .estimate, chunkChars: 64))
        let filler = "plain words without the term that matters here at all"
        // a.md: a weak first chunk, then its strongest; b.md and c.md in between.
        let a = "zebra appears once. \(filler).\n" + "zebra zebra zebra zebra zebra stripes.\n" + "\(filler) again.\n"
        let b = "zebra zebra zebra and more \(filler).\n"
        let c = "zebra zebra then \(filler).\n"
        _ = try await cluster.ingest([IngestRequest(namespace: "docs", documents: [
            Document(id: "a.md", text: a), Document(id: "b.md", text: b), Document(id: "c.md", text: c)])])
        let answer = try await cluster.query(QueryRequest(namespace: "docs", text: "zebra", mode: .lexical, topK: 20,
                                                          tokenBudget: 100_000, order: .document))
        let passages = answer.compactMap { item -> Passage? in
            if case .passage(let passage) = item { return passage }
            return nil
        }
        #expect(passages.count >= 3)
        #expect(passages.allSatisfy { $0.rank > 0 })
        let byRank = passages.sorted { $0.rank < $1.rank }
        #expect(zip(byRank, byRank.dropFirst()).allSatisfy { $0.score >= $1.score },
                "\(passages.map { ($0.provenance.documentID, $0.provenance.byteStart, $0.rank, $0.score) })")
        await cluster.destroy()
    }
}
