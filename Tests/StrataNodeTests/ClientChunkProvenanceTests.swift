import StrataCore
import StrataWire
import Testing
@testable import StrataNode

@Suite struct ClientChunkProvenanceTests {
    private let none = ChunkProvenance(documentID: "", byteStart: 0, byteEnd: 0, lineStart: 0, lineEnd: 0)

    @Test func chunksWithoutProvenanceFollowOneAnother() throws {
        let texts = ["alpha\nbeta\n", "gamma", "\ndelta"]
        let placed = try ClientChunkProvenance.resolve(documentID: "d", texts: texts, given: Array(repeating: none, count: 3))
        #expect(placed == [
            ChunkProvenance(documentID: "d", byteStart: 0, byteEnd: 11, lineStart: 1, lineEnd: 2),
            ChunkProvenance(documentID: "d", byteStart: 11, byteEnd: 16, lineStart: 3, lineEnd: 3),
            ChunkProvenance(documentID: "d", byteStart: 16, byteEnd: 22, lineStart: 3, lineEnd: 4),
        ])
    }

    @Test func givenProvenanceIsKeptWhenItSpansTheText() throws {
        let given = [ChunkProvenance(documentID: "other", byteStart: 100, byteEnd: 105, lineStart: 7, lineEnd: 7)]
        let placed = try ClientChunkProvenance.resolve(documentID: "d", texts: ["hello"], given: given)
        #expect(placed == [ChunkProvenance(documentID: "d", byteStart: 100, byteEnd: 105, lineStart: 7, lineEnd: 7)])
    }

    @Test func mixedOrWrongProvenanceIsRefusedByField() {
        let good = ChunkProvenance(documentID: "", byteStart: 0, byteEnd: 5, lineStart: 1, lineEnd: 1)
        let mixed = #expect(throws: StrataError.self) {
            try ClientChunkProvenance.resolve(documentID: "d", texts: ["hello", "world"], given: [good, none])
        }
        #expect(mixed?.message.contains("chunks[1].provenance is missing") == true)
        let short = #expect(throws: StrataError.self) {
            try ClientChunkProvenance.resolve(documentID: "d", texts: ["hello!"], given: [good])
        }
        #expect(short?.message.contains("chunks[0].provenance spans bytes 0..<5 but the text has 6 bytes") == true)
        let lines = #expect(throws: StrataError.self) {
            try ClientChunkProvenance.resolve(documentID: "d", texts: ["hello"],
                                              given: [ChunkProvenance(documentID: "", byteStart: 0, byteEnd: 5, lineStart: 0, lineEnd: 0)])
        }
        #expect(lines?.message.contains("lines 0-0 are not a 1-based range") == true)
    }

    @Test func clientChunksWithoutProvenanceAreAssembledIntoContext() async throws {
        let cluster = try await SmallCluster(workers: 1)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "pre", dimension: 2, tokenizer: .estimate))
        let summary = try await cluster.ingest([IngestRequest(namespace: "pre", documents: [
            Document(id: "notes", chunks: [ChunkInput(text: "the zebra crossing\n", vector: [1, 0]),
                                           ChunkInput(text: "is near the zebra park", vector: [0, 1])]),
            Document(id: "bad", chunks: [ChunkInput(text: "zebra", vector: [1, 0],
                                                    provenance: ChunkProvenance(documentID: "", byteStart: 0, byteEnd: 2, lineStart: 1, lineEnd: 1))]),
        ])])
        #expect(summary.documents == 1)
        #expect(summary.rejected.map(\.documentID) == ["bad"])
        let items = try await cluster.query(QueryRequest(namespace: "pre", text: "zebra", mode: .lexical, topK: 5, tokenBudget: 200))
        let passages = items.compactMap { if case .passage(let p) = $0 { return p } else { return nil } }
        // The two neighbouring chunks merge into one passage covering the whole document.
        #expect(passages.map(\.provenance) == [ChunkProvenance(documentID: "notes", byteStart: 0, byteEnd: 41, lineStart: 1, lineEnd: 2)])
        await cluster.stop()
    }
}
