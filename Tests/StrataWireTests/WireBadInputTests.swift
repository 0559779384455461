import StrataCore
import StrataRPC
import StrataWire
import Testing

/// Bad bytes on the wire become INVALID_ARGUMENT naming the message or the exact field.
@Suite struct WireBadInputTests {
    typealias F = WireFixtures

    /// A string that survives encoding unchanged and can then be corrupted in place.
    static let marker = "@BAD@"

    /// Encodes `value` and replaces the first byte of the (single) marker with `byte` (0xFF is
    /// never valid UTF-8); lengths stay the same, so the protobuf framing stays valid.
    func corrupt(_ value: some RPCMessage, byte: UInt8 = 0xFF, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
        var bytes = value.serializedBytes()
        let marker = Array(Self.marker.utf8)
        let hits = bytes.indices.filter { bytes[$0...].starts(with: marker) }
        #expect(hits.count == 1, "the marker must occur exactly once", sourceLocation: sourceLocation)
        if let first = hits.first { bytes[first] = byte }
        return bytes
    }

    /// Decoding `bytes` as `M` fails with INVALID_ARGUMENT whose message contains `text`.
    func expectInvalid<M: RPCMessage>(_ type: M.Type, _ bytes: [UInt8], mentions text: String,
                                      sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try M(serializedBytes: bytes)
            Issue.record("decoding \(M.self) succeeded; expected an error mentioning \(text)", sourceLocation: sourceLocation)
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument, sourceLocation: sourceLocation)
            #expect(error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func malformedBytesNameTheMessage() {
        // Field 1, length-delimited, length 100, but only two bytes follow.
        let truncated: [UInt8] = [0x0A, 100, 0x41, 0x42]
        expectInvalid(IngestRequest.self, truncated, mentions: "malformed strata.v1.IngestRequest")
        expectInvalid(QueryResponse.self, truncated, mentions: "malformed strata.v1.QueryResponse")
        expectInvalid(ApplyWritesRequest.self, truncated, mentions: "malformed strata.v1.ApplyWritesRequest")
        expectInvalid(SlotRecord.self, truncated, mentions: "malformed strata.v1.SlotRecord")
        expectInvalid(ChunkMessage.self, truncated, mentions: "malformed strata.v1.Chunk")
        expectInvalid(HeartbeatRequest.self, truncated, mentions: "malformed strata.v1.HeartbeatRequest")
        expectInvalid(WorkerSearchRequest.self, truncated, mentions: "malformed strata.v1.WorkerSearchRequest")
        expectInvalid(ClusterStatusResponse.self, truncated, mentions: "malformed strata.v1.ClusterStatusResponse")
        // A valid encoding truncated in the middle of a nested message.
        let ingest = IngestRequest(namespace: "ns", documents: F.documents).serializedBytes()
        expectInvalid(IngestRequest.self, Array(ingest.dropLast(3)), mentions: "malformed strata.v1.IngestRequest")
    }

    @Test func invalidUTF8NamesTheNestedField() {
        let bad = Self.marker
        var documents = F.documents
        documents.append(Document(id: bad))
        expectInvalid(IngestRequest.self, corrupt(IngestRequest(namespace: "ns", documents: documents)), mentions: "documents[3].id is not valid UTF-8")

        documents = F.documents
        documents[1].chunks[1].provenance = ChunkProvenance(documentID: bad, byteStart: 0, byteEnd: 1, lineStart: 1, lineEnd: 1)
        expectInvalid(IngestRequest.self, corrupt(IngestRequest(namespace: "ns", documents: documents)),
                      mentions: "documents[1].chunks[1].provenance.document_id is not valid UTF-8")

        documents = F.documents
        documents[1].metadata.append(KeyValue(key: "k2", value: bad))
        expectInvalid(IngestRequest.self, corrupt(IngestRequest(namespace: "ns", documents: documents)),
                      mentions: "documents[1].metadata[1].value")

        expectInvalid(IngestRequest.self, corrupt(IngestRequest(namespace: bad, documents: [])), mentions: "namespace is not valid UTF-8")
        expectInvalid(DeleteDocumentsRequest.self, corrupt(DeleteDocumentsRequest(namespace: "ns", documentIDs: ["a", bad])),
                      mentions: "document_ids[1]")

        var chunk = F.chunk
        chunk.metadata[2] = KeyValue(key: bad, value: "v")
        let put = SlotWrite(sequence: 1, namespace: "ns", operation: .put(PutDocument(documentID: "d", chunks: [F.sparseChunk, chunk])))
        expectInvalid(ApplyWritesRequest.self, corrupt(ApplyWritesRequest(slot: 1, writes: [F.writes[2], put])),
                      mentions: "writes[1].put.chunks[1].metadata[2].key")
        expectInvalid(SlotRecord.self, corrupt(SlotRecord.write(SlotWrite(sequence: 1, namespace: "n", operation: .deleteDocument(id: bad)))),
                      mentions: "write.delete_document_id")

        var node = F.node("w2")
        node.tiers[1] = TierStats(tier: .cold, backend: bad, precision: .int8, eviction: .fifo)
        expectInvalid(ClusterStatusResponse.self,
                      corrupt(ClusterStatusResponse(clusterID: "c", slotCount: 1, replicationFactor: 1, writeQuorum: 1,
                                                    nodes: [F.node("w1"), node])),
                      mentions: "nodes[1].tiers[1].backend")
        node = F.node("w2")
        node.notes = ["fine", bad]
        expectInvalid(ClusterStatusResponse.self,
                      corrupt(ClusterStatusResponse(clusterID: "c", slotCount: 1, replicationFactor: 1, writeQuorum: 1, nodes: [node])),
                      mentions: "nodes[0].notes[1]")

        expectInvalid(QueryRequest.self, corrupt(QueryRequest(namespace: "ns", filter: Filter(metadataEquals: [KeyValue(key: bad, value: "")]))),
                      mentions: "filter.metadata_equals[0].key")
        expectInvalid(QueryResponse.self, corrupt(QueryResponse.textFragment(bad)), mentions: "text_fragment is not valid UTF-8")
        expectInvalid(QueryResponse.self, corrupt(QueryResponse.passage(Passage(text: bad))), mentions: "passage.text")
        expectInvalid(QueryResponse.self,
                      corrupt(QueryResponse.passage(Passage(text: "t", metadata: [KeyValue(key: "lang", value: "en"), KeyValue(key: "k", value: bad)]))),
                      mentions: "passage.metadata[1].value")
        expectInvalid(HeartbeatResponse.self,
                      corrupt(HeartbeatResponse(mapVersion: 1, directives: [F.directives[0], SlotDirective(slot: 2, action: .fetch, sourceAddress: bad)])),
                      mentions: "directives[1].source_address")
        expectInvalid(CollectStatisticsRequest.self, corrupt(CollectStatisticsRequest(namespace: "ns", slots: [1], terms: ["a", "b", bad])),
                      mentions: "terms[2]")
        var candidate = Candidate(chunk: F.chunk, score: 1)
        candidate.chunk.text = bad
        expectInvalid(WorkerSearchResponse.self, corrupt(WorkerSearchResponse(candidates: [candidate])), mentions: "candidates[0].chunk.text")
        expectInvalid(IngestSummary.self,
                      corrupt(IngestSummary(documents: 1, chunks: 1, tokens: 1, rejected: [DocumentError(documentID: "d", reason: bad)], seconds: 1)),
                      mentions: "rejected[0].reason")
    }

    @Test func aNulCharacterInAnyStringIsRefusedByField() throws {
        // protobuf-c would hand these strings over cut at the NUL: refused instead, by path.
        func nul(_ value: some RPCMessage) -> [UInt8] { corrupt(value, byte: 0) }
        let bad = Self.marker
        var documents = F.documents
        documents[2].text = "before " + bad + " after"
        expectInvalid(IngestRequest.self, nul(IngestRequest(namespace: "ns", documents: documents)),
                      mentions: "documents[2].text contains a NUL character (U+0000)")
        documents = F.documents
        documents[1].chunks[1].text = bad
        expectInvalid(IngestRequest.self, nul(IngestRequest(namespace: "ns", documents: documents)), mentions: "documents[1].chunks[1].text contains a NUL")
        documents = F.documents
        documents[1].metadata.append(KeyValue(key: "k2", value: bad))
        expectInvalid(IngestRequest.self, nul(IngestRequest(namespace: "ns", documents: documents)), mentions: "documents[1].metadata[1].value contains a NUL")
        expectInvalid(IngestRequest.self, nul(IngestRequest(namespace: bad, documents: [])), mentions: "namespace contains a NUL")
        expectInvalid(QueryRequest.self, nul(QueryRequest(namespace: "ns", text: "find " + bad)), mentions: "text contains a NUL")
        expectInvalid(DeleteDocumentsRequest.self, nul(DeleteDocumentsRequest(namespace: "ns", documentIDs: ["a", bad])), mentions: "document_ids[1] contains a NUL")
        let put = SlotWrite(sequence: 1, namespace: "ns", operation: .put(PutDocument(documentID: bad, chunks: [F.sparseChunk])))
        expectInvalid(ApplyWritesRequest.self, nul(ApplyWritesRequest(slot: 1, writes: [F.writes[2], put])), mentions: "writes[1].put.document_id contains a NUL")
        // Zero bytes elsewhere (vectors, varints, hashes) are fine.
        let clean = IngestRequest(namespace: "ns", documents: F.documents)
        #expect(clean.serializedBytes().contains(0))
        #expect(try IngestRequest(serializedBytes: clean.serializedBytes()) == clean)
    }

    @Test func contentHashOfAnotherLengthIsRefused() {
        // FetchChunksRequest: field 2 holds a 15-byte hash.
        expectInvalid(FetchChunksRequest.self, [0x12, 15] + [UInt8](repeating: 7, count: 15),
                      mentions: "content_hashes[0] must be 16 bytes")
        // The second of two hashes is 17 bytes.
        expectInvalid(FetchChunksRequest.self, [0x12, 16] + [UInt8](repeating: 1, count: 16) + [0x12, 17] + [UInt8](repeating: 2, count: 17),
                      mentions: "content_hashes[1] must be 16 bytes")
        // A chunk with a 3-byte hash, and one with none at all.
        expectInvalid(ChunkMessage.self, [0x12, 3, 1, 2, 3], mentions: "content_hash must be 16 bytes")
        expectInvalid(ChunkMessage.self, [], mentions: "content_hash must be 16 bytes")
        // Nested: WorkerSearchResponse.candidates[0].chunk.content_hash is 3 bytes.
        let chunk: [UInt8] = [0x12, 3, 1, 2, 3]
        let candidate: [UInt8] = [0x0A, UInt8(chunk.count)] + chunk
        expectInvalid(WorkerSearchResponse.self, [0x0A, UInt8(candidate.count)] + candidate,
                      mentions: "candidates[0].chunk.content_hash must be 16 bytes")
    }

    @Test func unknownEnumValuesAreRefused() {
        // QueryRequest.mode (field 4) = 9.
        expectInvalid(QueryRequest.self, [0x20, 9], mentions: "mode has unknown value 9")
        // QueryRequest.order (field 8) = 2.
        expectInvalid(QueryRequest.self, [0x40, 2], mentions: "order has unknown value 2")
        // CreateNamespaceRequest.metric (field 4) = 5.
        expectInvalid(CreateNamespaceRequest.self, [0x20, 5], mentions: "metric has unknown value 5")
        // HeartbeatResponse.directives[0] with slot 5 and no action (ACTION_UNSPECIFIED).
        expectInvalid(HeartbeatResponse.self, [0x12, 2, 0x08, 5], mentions: "directives[0].action has unknown value 0")
        // CreateNamespaceRequest.tokenizer (field 3) = "bpe".
        expectInvalid(CreateNamespaceRequest.self, [0x1A, 3, 0x62, 0x70, 0x65], mentions: "tokenizer \"bpe\" is not a known tokenizer")
    }

    @Test func emptyOneofsAndMissingRequiredMessagesAreRefused() {
        expectInvalid(QueryResponse.self, [], mentions: "QueryResponse carries no item")
        expectInvalid(SlotRecord.self, [], mentions: "SlotRecord carries no item")
        // ApplyWritesRequest.writes[0] with a sequence but no operation.
        expectInvalid(ApplyWritesRequest.self, [0x12, 2, 0x08, 1], mentions: "writes[0].operation is not set")
        // ApplyWritesRequest.writes[0] with drop_namespace = false.
        expectInvalid(ApplyWritesRequest.self, [0x12, 2, 0x28, 0], mentions: "writes[0].drop_namespace is false")
        // WorkerSearchResponse.candidates[0] without its chunk.
        expectInvalid(WorkerSearchResponse.self, [0x0A, 0], mentions: "candidates[0].chunk is missing")
    }
}
