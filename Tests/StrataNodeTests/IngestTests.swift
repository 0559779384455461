import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataWire
import Testing

@Suite(.serialized) struct IngestTests {
    private static let prose = (1...40).map { "Paragraph \($0): the coordinator routes every document to its slot.\n\n" }.joined()

    @Test func ingestReplicatesEveryDocumentAndTalliesTheNamespace() async throws {
        let cluster = try await SmallCluster(workers: 2)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", tokenizer: .cl100k))
        let summary = try await cluster.ingest([
            IngestRequest(namespace: "docs", documents: (0..<10).map { Document(id: "src/file-\($0).md", text: Self.prose) }),
            IngestRequest(namespace: "docs", documents: [Document(id: "notes.txt", text: "short note")]),
        ])
        #expect(summary.documents == 11)
        #expect(summary.chunks > 11)  // the long documents span several chunks
        #expect(summary.tokens > 0)
        #expect(summary.rejected.isEmpty)

        let info = try #require(try await cluster.namespaces().first)
        #expect(info.name == "docs" && info.documents == 11 && info.chunks == summary.chunks && info.tokens == summary.tokens)

        // The same content again is stored once: every chunk is reported as a duplicate.
        let again = try await cluster.ingest([IngestRequest(namespace: "docs", documents: [Document(id: "copy.txt", text: "short note")])])
        #expect(again.duplicateChunks == 1)
        // The ten identical long documents above shared their chunks too (how many counted as
        // duplicates depends on which slot wrote first, so only that some did).
        #expect(summary.duplicateChunks > 0)

        // R = 2 with two workers: both hold every written slot at the same position.
        let positions = cluster.workers.map { worker in
            Dictionary(uniqueKeysWithValues: worker.status().slots.map { ($0.slot, $0.sequence) })
        }
        #expect(!positions[0].isEmpty)
        #expect(positions[0] == positions[1])
        await cluster.stop()
    }

    @Test func badDocumentsAreRejectedByNameAndTheRestIsStored() async throws {
        let cluster = try await SmallCluster(workers: 1)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "vectors", dimension: 3, tokenizer: .estimate))
        let summary = try await cluster.ingest([IngestRequest(namespace: "vectors", documents: [
            Document(id: "good", chunks: [ChunkInput(text: "fine", vector: [0.1, 0.2, 0.3])]),
            Document(id: "../escape", text: "path trick"),
            Document(id: "wrong-dimension", chunks: [ChunkInput(text: "x", vector: [1, 2])]),
            Document(id: "nan", chunks: [ChunkInput(text: "y", vector: [1, .nan, 2])]),
            Document(id: "empty", text: ""),
        ])])
        #expect(summary.documents == 1)
        #expect(Set(summary.rejected.map(\.documentID)) == ["../escape", "wrong-dimension", "nan", "empty"])
        #expect(summary.rejected.first { $0.documentID == "wrong-dimension" }?.reason.contains("dimensions") == true)
        await cluster.stop()
    }

    @Test func namespaceErrorsAreClear() async throws {
        let cluster = try await SmallCluster(workers: 1)
        #expect(try await cluster.waitUntilReady())
        let unknown = await #expect(throws: RPCError.self) {
            _ = try await cluster.ingest([IngestRequest(namespace: "missing", documents: [Document(id: "a", text: "b")])])
        }
        #expect(unknown?.code == .notFound)
        let badName = await #expect(throws: RPCError.self) { _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "../etc")) }
        #expect(badName?.code == .invalidArgument)
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "a", dimension: 8))
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "a", dimension: 8))  // idempotent
        let conflict = await #expect(throws: RPCError.self) { _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "a", dimension: 16)) }
        #expect(conflict?.code == .alreadyExists)
        let dot = await #expect(throws: RPCError.self) {
            _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "dotted", dimension: 8, metric: .dot))
        }
        #expect(dot?.code == .unimplemented && dot?.message.contains("cosine") == true)
        let mixed = await #expect(throws: RPCError.self) {
            _ = try await cluster.ingest([
                IngestRequest(namespace: "a", documents: [Document(id: "x", text: "one")]),
                IngestRequest(namespace: "b", documents: [Document(id: "y", text: "two")]),
            ])
        }
        #expect(mixed?.code == .invalidArgument)
        await cluster.stop()
    }

    @Test func deletesAndDropsReachTheWorkers() async throws {
        let cluster = try await SmallCluster(workers: 2)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", tokenizer: .estimate))
        _ = try await cluster.ingest([IngestRequest(namespace: "docs", documents: (0..<6).map { Document(id: "d\($0)", text: "text \($0)") })])
        let deleted = try DeleteDocumentsResponse(serializedBytes: await cluster.channel.unary(
            MethodPath.coordinatorDeleteDocuments, DeleteDocumentsRequest(namespace: "docs", documentIDs: ["d1", "d2", "nope"]).serializedBytes()))
        #expect(deleted.deleted == 2)
        #expect(deleted.notFound == ["nope"])
        #expect(try await cluster.namespaces().first?.documents == 4)
        let dropped = try DropNamespaceResponse(serializedBytes: await cluster.channel.unary(
            MethodPath.coordinatorDropNamespace, DropNamespaceRequest(name: "docs").serializedBytes()))
        #expect(dropped.documents == 4)
        #expect(try await cluster.namespaces().isEmpty)
        await cluster.stop()
    }

    @Test func concurrentStreamsToTheSameSlotsLoseNothing() async throws {
        // 8 slots, two streams of 40 documents each: many writes to each slot race. A write
        // numbered lower but delivered later would be acknowledged without being applied if
        // the coordinator did not keep each slot's writes in order.
        let cluster = try await SmallCluster(workers: 2)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "race", tokenizer: .estimate))
        async let first = cluster.ingest((0..<40).map { i in
            IngestRequest(namespace: "race", documents: [Document(id: "a\(i)", text: "alpha\(i)marker")])
        })
        async let second = cluster.ingest((0..<40).map { i in
            IngestRequest(namespace: "race", documents: [Document(id: "b\(i)", text: "beta\(i)marker")])
        })
        let summaries = try await [first, second]
        #expect(summaries.map(\.documents) == [40, 40])
        for worker in cluster.workers {
            let chunks = worker.status().tiers.first { $0.tier == .persistent }?.entries ?? 0
            #expect(chunks == 80, "a worker holds \(chunks) of 80 chunks")
        }
        await cluster.stop()
    }
}
