import Foundation
import StrataCore
import StrataRPC
import StrataWire
import Testing

/// Golden encodings shared with Python: `Tests/interop/wire_golden.txt` holds the bytes Swift
/// produces for `WireGolden.messages`; `Tests/interop/test_wire_interop.py` builds the same
/// messages with Google's Python protobuf and checks it parses and produces the same bytes.
/// Regenerate after a deliberate contract change with `STRATA_UPDATE_WIRE_GOLDEN=1`.
enum WireGolden {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("interop/wire_golden.txt")

    static let provenance = ChunkProvenance(documentID: "src/東京.swift", byteStart: 5, byteEnd: 300, lineStart: 1, lineEnd: 12)
    static let metadata = [KeyValue(key: "lang", value: "swift"), KeyValue(key: "作者", value: "José 🚀")]
    static let chunk = ChunkMessage(namespace: "ns", contentHash: ContentHash(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10),
                                    provenance: provenance, ordinal: 3, text: "let x = \"ü\"", tokenCount: 9,
                                    vector: [0.5, -1.25, 2], metadata: metadata)
    static let filter = Filter(documentPrefix: "src/", metadataEquals: [KeyValue(key: "lang", value: "swift")])

    /// Name (the proto message, with the oneof case after a dot) and value.
    static let messages: [(String, any RPCMessage)] = [
        ("CreateNamespaceRequest", CreateNamespaceRequest(name: "docs", dimension: 384, tokenizer: .o200k, metric: .dot,
                                                          chunkChars: 2048, chunkOverlap: 64)),
        ("IngestRequest", IngestRequest(namespace: "docs", documents: [
            Document(id: "a.md", text: "naïve — 東京 🚀", metadata: metadata),
            Document(id: "b.txt", chunks: [ChunkInput(text: "one", vector: [1, -0.5], provenance: provenance),
                                           ChunkInput(text: "two", vector: [0.25, 4], provenance: provenance)]),
        ])),
        ("QueryRequest", QueryRequest(namespace: "docs", text: "where is ü?", vector: [0.5, 0.75], mode: .hybrid, topK: 20,
                                      tokenBudget: 8000, filter: filter, order: .score, lexicalWeight: 0.25)),
        ("QueryResponse.header", QueryResponse.header(QueryHeader(mode: .lexical, degraded: true, missingSlots: [3, 4095],
                                                                  degradedReason: "no replica"))),
        ("QueryResponse.passage", QueryResponse.passage(Passage(provenance: provenance, score: 0.875, tokens: 120,
                                                                text: "passage ü", rank: 2, metadata: metadata))),
        ("QueryResponse.text_fragment", QueryResponse.textFragment("…more 東京")),
        ("QueryResponse.summary", QueryResponse.summary(QuerySummary(passages: 4, tokens: 900, candidates: 40, searchMs: 1.5,
                                                                     assembleMs: 0.5, rendered: "<ctx>"))),
        ("ApplyWritesRequest", ApplyWritesRequest(slot: 17, writes: [
            SlotWrite(sequence: 1, namespace: "docs", operation: .put(PutDocument(documentID: "a.md", metadata: metadata, chunks: [chunk]))),
            SlotWrite(sequence: 2, namespace: "docs", operation: .deleteDocument(id: "b.txt")),
            SlotWrite(sequence: 3, namespace: "docs", operation: .dropNamespace),
        ])),
        ("SlotRecord.end_sequence", SlotRecord.endSequence(77)),
        ("WorkerSearchRequest", WorkerSearchRequest(namespace: "docs", slots: [1, 2], text: "q", vector: [0.5], mode: .vector, topK: 5,
                                                    filter: filter, globalStatistics: LexicalStatistics(chunkCount: 10, totalLength: 200,
                                                                                                         documentFrequencies: [1, 0, 7]),
                                                    lexicalWeight: 0.5, includeText: true)),
        ("WorkerSearchResponse", WorkerSearchResponse(candidates: [Candidate(chunk: chunk, score: 0.5, lexicalScore: 2.5, vectorScore: 0.25,
                                                                             lexicalRank: 1, vectorRank: 3)],
                                                      missingSlots: [9])),
        ("FetchChunksRequest", FetchChunksRequest(namespace: "docs", contentHashes: [chunk.contentHash, ContentHash(high: 0, low: 1)])),
        ("HeartbeatResponse", HeartbeatResponse(mapVersion: 12, directives: [
            SlotDirective(slot: 1, action: .serve),
            SlotDirective(slot: 2, action: .fetch, sourceAddress: "w2:7001", fromSequence: 5, rateLimitBytesPerSecond: 1_000_000),
        ], reregister: true)),
        ("ClusterStatusResponse", ClusterStatusResponse(
            clusterID: "c1", slotCount: 4096, replicationFactor: 3, writeQuorum: 2,
            nodes: [NodeStatusReport(nodeID: "w1", role: .worker, address: "127.0.0.1:7001", zone: "z", state: .serving,
                                     version: "0.1.0", uptimeSeconds: 2.5, startedAtUnix: 1_700_000_000,
                                     slots: [SlotPosition(slot: 3, sequence: 9, chunks: 2, tokens: 40)],
                                     notes: ["hot tier emulated in host memory: no GPU"], requestsServed: 5)],
            slotsFullyReplicated: 4000, slotsUnderReplicated: 96, slotsUnavailable: 0,
            transfers: [SlotTransfer(slot: 3, sourceNode: "w1", targetNode: "w2", bytesCopied: 10, bytesTotal: 20,
                                     recordsCopied: 1, startedAtUnix: 1_700_000_100)],
            mapVersion: 8)),
        ("CreateNamespaceRequest(embedder)", CreateNamespaceRequest(name: "handbook", tokenizer: .cl100k, embedder: "minilm-l6")),
        ("ApplyWritesRequest(attach_vectors)", ApplyWritesRequest(slot: 5, writes: [
            SlotWrite(sequence: 9, namespace: "docs", operation: .attachVectors(AttachVectors(documentID: "a.md", vectors: [
                ChunkVector(contentHash: chunk.contentHash, vector: [0.5, -0.25]),
            ]))),
        ])),
        ("PendingEmbeddingsRequest", PendingEmbeddingsRequest(namespace: "docs", slots: [1, 7], maxChunks: 32)),
        ("PendingEmbeddingsResponse", PendingEmbeddingsResponse(pendingChunks: 120, documents: [
            PendingDocument(slot: 7, documentID: "a.md", chunks: [PendingChunk(contentHash: chunk.contentHash, text: "naïve 東京")]),
        ])),
        ("ListNamespacesResponse", ListNamespacesResponse(namespaces: [
            NamespaceInfo(name: "handbook", dimension: 384, tokenizer: .cl100k, metric: .cosine, chunkChars: 1024, chunkOverlap: 0,
                          documents: 3, chunks: 40, tokens: 9000, createdAtUnix: 1_700_000_000, embedder: "minilm-l6",
                          embeddingBacklog: 12),
        ])),
        ("ClusterStatusResponse(embeddings)", ClusterStatusResponse(
            clusterID: "c1", slotCount: 8, replicationFactor: 2, writeQuorum: 2,
            embeddings: [EmbeddingStatus(namespace: "handbook", embedder: "minilm-l6", backlogChunks: 12, embeddedChunks: 28,
                                         backend: "cpu", error: "")])),
    ]

    static func render() -> String {
        messages.map { name, message in
            "\(name) " + message.serializedBytes().map { String(format: "%02x", $0) }.joined()
        }.joined(separator: "\n") + "\n"
    }
}

@Suite struct WireGoldenTests {
    @Test func encodingsMatchTheGoldenFileSharedWithPython() throws {
        let rendered = WireGolden.render()
        if ProcessInfo.processInfo.environment["STRATA_UPDATE_WIRE_GOLDEN"] == "1" {
            try rendered.write(to: WireGolden.file, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: WireGolden.file, encoding: .utf8)
        let expected = golden.split(separator: "\n")
        let actual = rendered.split(separator: "\n")
        #expect(expected.count == WireGolden.messages.count)
        for (want, got) in zip(expected, actual) { #expect(got == want) }
    }

    @Test func goldenBytesDecodeAndReencodeUnchanged() throws {
        let golden = try String(contentsOf: WireGolden.file, encoding: .utf8).split(separator: "\n")
        for (line, (name, message)) in zip(golden, WireGolden.messages) {
            let parts = line.split(separator: " ")
            #expect(parts.first.map(String.init) == name)
            let hex = Array(parts.last ?? "")
            let bytes = stride(from: 0, to: hex.count, by: 2).compactMap { UInt8(String(hex[$0...$0 + 1]), radix: 16) }
            let decoded = try type(of: message).init(serializedBytes: bytes)
            #expect(decoded.serializedBytes() == bytes, "\(name)")
        }
    }
}
