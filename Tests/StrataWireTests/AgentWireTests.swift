import StrataCore
import StrataRPC
import StrataWire
import Testing

/// The messages of ListDocuments, ReadDocument, RecordSync, GetNamespaceStatus and the
/// worker's FetchDocument: every field survives a round trip; bad bytes are refused by field.
struct AgentWireTests {
    private func roundTrips<M: RPCMessage & Equatable>(_ message: M) throws {
        #expect(try M(serializedBytes: message.serializedBytes()) == message)
    }

    static let sync: SyncRecord = {
        var record = SyncRecord(syncID: "run-1:a_b.c", namespace: "code", source: "host:/src/東京", state: .abandoned)
        record.startedAtUnixMs = 1_700_000_000_000
        record.updatedAtUnixMs = 1_700_000_000_500
        record.finishedAtUnixMs = 1_700_000_001_000
        (record.files, record.skipped, record.toAdd, record.toChange) = (10_000, 3, 4, 5)
        (record.toDelete, record.unchanged, record.sent, record.deleted) = (6, 9_991, 7, 2)
        (record.bytesTotal, record.bytesSent, record.error) = (1 << 40, 1 << 39, "no report for 61 s 🚀")
        return record
    }()

    @Test func everyFieldRoundTrips() throws {
        try roundTrips(ListDocumentsRequest(namespace: "code", prefix: "src/ü", pageSize: 77, pageToken: "src/a.swift"))
        try roundTrips(ListDocumentsResponse(documents: [
            DocumentEntry(documentID: "src/東京.swift", contentHash: "0123456789abcdef0123456789abcdef", chunks: 3, tokens: 1 << 33),
            DocumentEntry(documentID: "unsettled", contentHash: ""),
        ], nextPageToken: "unsettled"))
        try roundTrips(ListDocumentsResponse(documents: []))
        try roundTrips(ReadDocumentRequest(namespace: "code", documentID: "a/b.md", lineStart: 3, lineEnd: 9))
        try roundTrips(ReadDocumentResponse(documentID: "a/b.md", text: "line\n東京\n", lineStart: 3, lineEnd: 4, totalLines: 9,
                                            truncated: true, metadata: [KeyValue(key: "k", value: "v")], contentHash: "ff"))
        try roundTrips(FetchDocumentRequest(namespace: "code", documentID: "a/b.md"))
        try roundTrips(Self.sync)
        try roundTrips(RecordSyncRequest(sync: Self.sync))
        try roundTrips(NamespaceStatusRequest(namespace: "code"))
        let info = NamespaceInfo(name: "code", dimension: 0, tokenizer: .estimate, metric: .cosine, chunkChars: 1024, chunkOverlap: 0,
                                 documents: 5, chunks: 6, tokens: 7, createdAtUnix: 8)
        try roundTrips(NamespaceStatus(info: info, unsettledDocuments: 2, lastSync: Self.sync, runningSync: nil))
        try roundTrips(NamespaceStatus(info: info))
    }

    @Test func badBytesAreRefusedByField() throws {
        // A RecordSyncRequest without its sync.
        let empty = #expect(throws: RPCError.self) { _ = try RecordSyncRequest(serializedBytes: []) }
        #expect(empty?.code == .invalidArgument && empty?.message.contains("sync is missing") == true)
        // A sync state number the contract does not define (field 4, varint 9, inside field 1).
        let unknownState = #expect(throws: RPCError.self) { _ = try RecordSyncRequest(serializedBytes: [0x0A, 0x02, 0x20, 0x09]) }
        #expect(unknownState?.code == .invalidArgument && unknownState?.message.contains("sync.state") == true)
        // Invalid UTF-8 in a document id (field 2 of ReadDocumentRequest).
        let badText = #expect(throws: RPCError.self) { _ = try ReadDocumentRequest(serializedBytes: [0x12, 0x02, 0xC3, 0x28]) }
        #expect(badText?.code == .invalidArgument && badText?.message.contains("document_id") == true)
    }
}
