import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataStore
import StrataWire
import Testing

/// Namespaces created with a server-side embedder (`--embedder minilm-l6`): text is searchable
/// lexically once acknowledged, the coordinator embeds it in the background, the vectors reach
/// every replica and survive a restart, and text queries run hybrid.
@Suite(.serialized) struct ServerEmbeddingTests {
    static let documents = [
        Document(id: "docs/replication.md", text: "Every write is copied to the replicas of its slot and acknowledged once a majority has it on disk."),
        Document(id: "docs/cooking.md", text: "Simmer the tomatoes with garlic and olive oil for twenty minutes, then add fresh basil."),
        Document(id: "docs/weather.md", text: "Tomorrow will be cloudy in the morning with light rain expected in the afternoon."),
        Document(id: "docs/sports.md", text: "The home team scored twice in the final minutes and won the championship match."),
    ]

    private func passages(_ items: [QueryResponse]) -> [Passage] {
        items.compactMap { if case .passage(let p) = $0 { return p } else { return nil } }
    }

    private func header(_ items: [QueryResponse]) -> QueryHeader? {
        if case .header(let header) = items.first { return header }
        return nil
    }

    @Test func textIsEmbeddedBehindIngestAndQueriesRunHybrid() async throws {
        let cluster = try await SmallCluster(workers: 2)
        #expect(try await cluster.waitUntilReady())
        let info = try await cluster.createNamespace(CreateNamespaceRequest(name: "notes", tokenizer: .estimate, embedder: "minilm-l6"))
        #expect(info.embedder == "minilm-l6")
        #expect(info.dimension == 384)
        let summary = try await cluster.ingest([IngestRequest(namespace: "notes", documents: Self.documents)])
        #expect(summary.documents == 4)
        // Lexical search sees the text as soon as the ingest is acknowledged.
        let lexical = try await cluster.query(QueryRequest(namespace: "notes", text: "tomatoes garlic", mode: .lexical, topK: 1))
        #expect(passages(lexical).first?.provenance.documentID == "docs/cooking.md")
        // The backlog drains in the background.
        #expect(try await cluster.eventually {
            let status = try await cluster.clusterStatus()
            return status.embeddings.first?.backlogChunks == 0 && (status.embeddings.first?.embeddedChunks ?? 0) >= 4
        })
        let status = try await cluster.clusterStatus()
        #expect(status.embeddings.map(\.namespace) == ["notes"])
        #expect(status.embeddings.first?.error == "")
        #expect(status.embeddings.first?.backend.hasPrefix("cpu") == true)
        #expect(try await cluster.namespaces().first?.embeddingBacklog == 0)
        // A paraphrase that shares no word with its document: hybrid (the default) finds it.
        let paraphrase = try await cluster.query(QueryRequest(namespace: "notes", text: "which side won the game", topK: 1))
        #expect(header(paraphrase)?.mode == .hybrid)
        #expect(passages(paraphrase).first?.provenance.documentID == "docs/sports.md")
        let vector = try await cluster.query(QueryRequest(namespace: "notes", text: "will it rain", mode: .vector, topK: 1))
        #expect(passages(vector).first?.provenance.documentID == "docs/weather.md")

        // Every replica has the vectors, stored with the chunks: with one worker stopped and the
        // other restarted from its disk, vector search still finds the documents.
        await cluster.workers[1].shutdown()
        await cluster.workers[0].shutdown()
        var config = try SmallCluster.config(cluster.directories[0])
        try config.set("worker.listen", text: "127.0.0.1:0")
        try config.set("worker.coordinator", text: cluster.coordinator.runtime.address)
        let restarted = try WorkerNode(config: config)
        try restarted.start()
        #expect(try await cluster.eventually {
            let answer = try await cluster.query(QueryRequest(namespace: "notes", text: "will it rain", mode: .vector, topK: 1))
            return passages(answer).first?.provenance.documentID == "docs/weather.md" && header(answer)?.degraded == false
        })
        await restarted.shutdown()
        await cluster.stop()
    }

    @Test func clientVectorsAndUnknownEmbeddersAreRefusedByField() async throws {
        let cluster = try await SmallCluster(workers: 1)
        #expect(try await cluster.waitUntilReady())
        let unknown = await #expect(throws: RPCError.self) {
            _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "x", embedder: "bert-huge"))
        }
        #expect(unknown?.code == .invalidArgument)
        #expect(unknown?.message.contains("embedder \"bert-huge\"") == true)
        let dimension = await #expect(throws: RPCError.self) {
            _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "x", dimension: 768, embedder: "minilm-l6"))
        }
        #expect(dimension?.message.contains("dimension 768") == true)
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "e", tokenizer: .estimate, embedder: "minilm-l6"))
        let summary = try await cluster.ingest([IngestRequest(namespace: "e", documents: [
            Document(id: "own.txt", chunks: [ChunkInput(text: "a chunk with its own vector", vector: [Float](repeating: 0.1, count: 384))]),
            Document(id: "plain.txt", chunks: [ChunkInput(text: "a chunk without a vector")]),
        ])])
        #expect(summary.documents == 1)
        #expect(summary.rejected.first?.documentID == "own.txt")
        #expect(summary.rejected.first?.reason.contains("chunks[0].vector") == true)
        let query = await #expect(throws: RPCError.self) {
            _ = try await cluster.query(QueryRequest(namespace: "e", text: "chunk", vector: [Float](repeating: 0.1, count: 384)))
        }
        #expect(query?.code == .invalidArgument)
        #expect(query?.message.contains("embeds query text on the server") == true)
        await cluster.stop()
    }
}
