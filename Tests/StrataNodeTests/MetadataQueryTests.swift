import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataWire
import Testing

/// Metadata through the coordinator: ingested with each document, filtered in every query mode,
/// returned with each passage.
@Suite(.serialized) struct MetadataQueryTests {
    /// One client-chunked document (its chunk covers the whole text, line 1).
    private static func document(_ id: String, _ text: String, _ vector: [Float], _ metadata: [(String, String)]) -> Document {
        Document(id: id, chunks: [ChunkInput(text: text, vector: vector, provenance: ChunkProvenance(
            documentID: id, byteStart: 0, byteEnd: text.utf8.count, lineStart: 1, lineEnd: 1))],
                 metadata: metadata.map { KeyValue(key: $0.0, value: $0.1) })
    }

    private static func documents() -> [Document] {
        [
            document("team-a/http.py", "def fetch_url(url): download a web page over http", [1, 0, 0], [("team", "a"), ("lang", "python")]),
            document("team-b/http.py", "def fetch_page(url): download a web page over https", [0.9, 0.1, 0], [("lang", "python"), ("team", "b")]),
        ]
    }

    private func documentIDs(_ items: [QueryResponse]) -> [String] {
        items.compactMap { if case .passage(let p) = $0 { return p.provenance.documentID } else { return nil } }
    }

    @Test func filteredQueriesReturnOnlyMatchingDocumentsInEveryMode() async throws {
        let cluster = try await SmallCluster(workers: 3)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "code", dimension: 3, tokenizer: .cl100k))
        let summary = try await cluster.ingest([IngestRequest(namespace: "code", documents: Self.documents() + [
            Document(id: "bad-meta.py", text: "def f(): pass", metadata: [KeyValue(key: "k", value: "1"), KeyValue(key: "k", value: "2")]),
        ])])
        #expect(summary.documents == 2)
        #expect(summary.rejected.map(\.documentID) == ["bad-meta.py"])
        #expect(summary.rejected.first?.reason.contains("metadata[1].key \"k\" repeats") == true)

        func query(_ mode: QueryMode, _ pairs: [(String, String)]) async throws -> [String] {
            documentIDs(try await cluster.query(QueryRequest(
                namespace: "code", text: mode == .vector ? "" : "download a web page", vector: mode == .lexical ? [] : [1, 0, 0],
                mode: mode, topK: 10, tokenBudget: 500, filter: Filter(metadataEquals: pairs.map { KeyValue(key: $0.0, value: $0.1) }))))
        }
        for mode in [QueryMode.lexical, .vector, .hybrid] {
            #expect(Set(try await query(mode, [])) == ["team-a/http.py", "team-b/http.py"], "\(mode)")
            #expect(try await query(mode, [("team", "a")]) == ["team-a/http.py"], "\(mode)")
            #expect(try await query(mode, [("team", "b"), ("lang", "python")]) == ["team-b/http.py"], "\(mode)")
            #expect(try await query(mode, [("team", "B")]).isEmpty, "\(mode)")
            #expect(try await query(mode, [("unknown", "a")]).isEmpty, "\(mode)")
        }

        // A filter no document could ever match by the limits is refused before any worker is asked.
        let error = await #expect(throws: RPCError.self) {
            _ = try await cluster.query(QueryRequest(namespace: "code", text: "web", filter: Filter(metadataEquals: [
                KeyValue(key: String(repeating: "k", count: 200), value: "v"),
            ])))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("filter.metadata_equals[0].key") == true)
        await cluster.stop()
    }

    @Test func passagesCarryTheirDocumentsMetadataInEveryMode() async throws {
        let cluster = try await SmallCluster(workers: 3)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "code", dimension: 3, tokenizer: .cl100k))
        let plain = Self.document("plain/http.py", "def get(url): download a web page, no metadata", [0.8, 0.2, 0], [])
        _ = try await cluster.ingest([IngestRequest(namespace: "code", documents: Self.documents() + [plain])])

        func metadata(_ mode: QueryMode, _ pairs: [(String, String)]) async throws -> [String: [KeyValue]] {
            let items = try await cluster.query(QueryRequest(
                namespace: "code", text: mode == .vector ? "" : "download a web page", vector: mode == .lexical ? [] : [1, 0, 0],
                mode: mode, topK: 10, tokenBudget: 500, filter: Filter(metadataEquals: pairs.map { KeyValue(key: $0.0, value: $0.1) })))
            var found: [String: [KeyValue]] = [:]
            for case .passage(let p) in items { found[p.provenance.documentID] = p.metadata }
            return found
        }
        // Sorted by key, whatever order the document gave its pairs in.
        let a = [KeyValue(key: "lang", value: "python"), KeyValue(key: "team", value: "a")]
        let b = [KeyValue(key: "lang", value: "python"), KeyValue(key: "team", value: "b")]
        for mode in [QueryMode.lexical, .vector, .hybrid] {
            #expect(try await metadata(mode, []) == ["team-a/http.py": a, "team-b/http.py": b, "plain/http.py": []], "\(mode)")
            #expect(try await metadata(mode, [("team", "b")]) == ["team-b/http.py": b], "\(mode)")
        }

        // Several chunks of one document merged into one passage carry the document's metadata once.
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "prose", dimension: 0, tokenizer: .cl100k, chunkChars: 64))
        let text = (1...6).map { "line \($0) talks about the harbour lighthouse keeper\n" }.joined()
        _ = try await cluster.ingest([IngestRequest(namespace: "prose", documents: [
            Document(id: "story.txt", text: text, metadata: [KeyValue(key: "lang", value: "en")]),
        ])])
        let items = try await cluster.query(QueryRequest(namespace: "prose", text: "harbour lighthouse keeper", mode: .lexical,
                                                         topK: 10, tokenBudget: 2000))
        let passages = items.compactMap { if case .passage(let p) = $0 { return p } else { return nil } }
        #expect(passages.count == 1)
        #expect(passages.first.map { $0.provenance.byteEnd - $0.provenance.byteStart } ?? 0 > 64)
        #expect(passages.first?.metadata == [KeyValue(key: "lang", value: "en")])
        await cluster.stop()
    }
}
