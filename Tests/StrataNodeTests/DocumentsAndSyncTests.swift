import Foundation
@testable import StrataNode
import StrataCore
import StrataRPC
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

/// ListDocuments, ReadDocument, RecordSync and GetNamespaceStatus against an in-process
/// cluster, and the tally's truth when an ingest is cut off.
@Suite(.serialized) struct DocumentsAndSyncTests {
    private static let prose = (1...30).map { "Line \($0): the coordinator routes every document to its slot.\n" }.joined()

    private func unary<R: RPCMessage>(_ cluster: SmallCluster, _ method: String, _ request: some RPCMessage, _: R.Type) async throws -> R {
        try R(serializedBytes: await cluster.channel.unary(method, request.serializedBytes()))
    }

    @Test func listedDocumentsCarryTheirContentHashesPageByPage() async throws {
        let cluster = try await SmallCluster(workers: 1, replicas: 1)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "code", tokenizer: .estimate))
        let texts = ["src/a.swift": "let a = 1\n", "src/b.swift": "let b = 2\n", "docs/c.md": "# C\n", "README.md": "hello\n"]
        _ = try await cluster.ingest([IngestRequest(namespace: "code", documents: texts.map { Document(id: $0.key, text: $0.value) })])

        var seen: [DocumentEntry] = []
        var token = ""
        repeat {
            let page = try await unary(cluster, MethodPath.coordinatorListDocuments,
                                       ListDocumentsRequest(namespace: "code", pageSize: 3, pageToken: token), ListDocumentsResponse.self)
            #expect(page.documents.count <= 3)
            seen += page.documents
            token = page.nextPageToken
        } while !token.isEmpty
        #expect(seen.map(\.documentID) == ["README.md", "docs/c.md", "src/a.swift", "src/b.swift"])
        for entry in seen { #expect(entry.contentHash == ContentHash.of(texts[entry.documentID]!).description && entry.chunks == 1) }
        let prefixed = try await unary(cluster, MethodPath.coordinatorListDocuments, ListDocumentsRequest(namespace: "code", prefix: "src/"),
                                       ListDocumentsResponse.self)
        #expect(prefixed.documents.map(\.documentID) == ["src/a.swift", "src/b.swift"] && prefixed.nextPageToken.isEmpty)

        let tooBig = await #expect(throws: RPCError.self) {
            _ = try await unary(cluster, MethodPath.coordinatorListDocuments, ListDocumentsRequest(namespace: "code", pageSize: 10_001),
                                ListDocumentsResponse.self)
        }
        #expect(tooBig?.code == .outOfRange && tooBig?.message.contains("page_size") == true)
        let unknown = await #expect(throws: RPCError.self) {
            _ = try await unary(cluster, MethodPath.coordinatorListDocuments, ListDocumentsRequest(namespace: "nope"), ListDocumentsResponse.self)
        }
        #expect(unknown?.code == .notFound)
        await cluster.stop()
    }

    @Test func readDocumentRebuildsOverlappingChunksAndCutsLineRanges() async throws {
        let cluster = try await SmallCluster(workers: 2, replicas: 1)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "docs", tokenizer: .estimate, chunkChars: 200, chunkOverlap: 50))
        _ = try await cluster.ingest([IngestRequest(namespace: "docs", documents: [
            Document(id: "guide.md", text: Self.prose, metadata: [KeyValue(key: "team", value: "core")]),
        ])])
        let whole = try await unary(cluster, MethodPath.coordinatorReadDocument, ReadDocumentRequest(namespace: "docs", documentID: "guide.md"),
                                    ReadDocumentResponse.self)
        #expect(whole.text == Self.prose)
        #expect(whole.lineStart == 1 && whole.lineEnd == 30 && whole.totalLines == 30 && !whole.truncated)
        #expect(whole.metadata == [KeyValue(key: "team", value: "core")] && whole.contentHash == ContentHash.of(Self.prose).description)
        let range = try await unary(cluster, MethodPath.coordinatorReadDocument,
                                    ReadDocumentRequest(namespace: "docs", documentID: "guide.md", lineStart: 10, lineEnd: 12), ReadDocumentResponse.self)
        #expect(range.text == "Line 10: the coordinator routes every document to its slot.\nLine 11: the coordinator routes every document to its slot.\nLine 12: the coordinator routes every document to its slot.\n")

        for (request, code) in [
            (ReadDocumentRequest(namespace: "docs", documentID: "guide.md", lineStart: 31), StatusCode.outOfRange),
            (ReadDocumentRequest(namespace: "docs", documentID: "guide.md", lineStart: 5, lineEnd: 4), .invalidArgument),
            (ReadDocumentRequest(namespace: "docs", documentID: "missing.md"), .notFound),
            (ReadDocumentRequest(namespace: "docs", documentID: "../etc/passwd"), .invalidArgument),
            (ReadDocumentRequest(namespace: "nope", documentID: "guide.md"), .notFound),
        ] {
            let error = await #expect(throws: RPCError.self) {
                _ = try await unary(cluster, MethodPath.coordinatorReadDocument, request, ReadDocumentResponse.self)
            }
            #expect(error?.code == code, "\(request)")
        }
        await cluster.stop()
    }

    @Test func eachBatchIsTalliedOnceAcknowledgedWhileItsStreamIsStillOpen() async throws {
        let cluster = try await SmallCluster(workers: 1, replicas: 1)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "code", tokenizer: .estimate))
        let call = try cluster.channel.clientStreaming(MethodPath.coordinatorIngest)
        try await call.send(IngestRequest(namespace: "code", documents: [Document(id: "a", text: "alpha"), Document(id: "b", text: "beta")]).serializedBytes())
        // The first batch is in the tally, with its hashes, before the stream ends: a client
        // killed now (Tests/interop/test_sync_interop.py kills one) leaves it counted. The tally
        // used to be written only when the stream ended.
        let hashes = [ContentHash.of("alpha").description, ContentHash.of("beta").description]
        let list = { try await unary(cluster, MethodPath.coordinatorListDocuments, ListDocumentsRequest(namespace: "code"), ListDocumentsResponse.self) }
        #expect(try await cluster.eventually { try await list().documents.map(\.contentHash) == hashes })
        #expect(try await cluster.namespaces().first?.documents == 2)
        try await call.send(IngestRequest(namespace: "code", documents: [Document(id: "c", text: "gamma")]).serializedBytes())
        let summary = try IngestSummary(serializedBytes: await call.finish())
        let listed = try await list()
        #expect(summary.documents == 3 && listed.documents.count == 3)
        await cluster.stop()
    }

    @Test func documentsOfAFailedIngestAreListedAsUnsettled() async throws {
        let cluster = try await SmallCluster(workers: 1, replicas: 1)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "code", tokenizer: .estimate))
        _ = try await cluster.ingest([IngestRequest(namespace: "code", documents: [Document(id: "kept", text: "old text")])])
        await cluster.workers[0].shutdown()
        await #expect(throws: RPCError.self) {
            _ = try await cluster.ingest([IngestRequest(namespace: "code", documents: [Document(id: "kept", text: "new text"), Document(id: "fresh", text: "x")])])
        }
        // Neither the old hash nor silence: the coordinator cannot know what the worker holds.
        let listed = try await unary(cluster, MethodPath.coordinatorListDocuments, ListDocumentsRequest(namespace: "code"), ListDocumentsResponse.self)
        #expect(listed.documents.map(\.documentID) == ["fresh", "kept"] && listed.documents.allSatisfy { $0.contentHash.isEmpty })
        let status = try await unary(cluster, MethodPath.coordinatorNamespaceStatus, NamespaceStatusRequest(namespace: "code"), NamespaceStatus.self)
        #expect(status.unsettledDocuments == 2)
        await cluster.stop()
    }

    @Test func syncReportsShowInNamespaceStatus() async throws {
        let cluster = try await SmallCluster(workers: 1, replicas: 1)
        #expect(try await cluster.waitUntilReady())
        _ = try await cluster.createNamespace(CreateNamespaceRequest(name: "code", tokenizer: .estimate))
        var report = SyncRecord(syncID: "run-1", namespace: "code", source: "host:/src", state: .running)
        report.toAdd = 5
        report.sent = 2
        let kept = try await unary(cluster, MethodPath.coordinatorRecordSync, RecordSyncRequest(sync: report), SyncRecord.self)
        #expect(kept.startedAtUnixMs > 0 && kept.updatedAtUnixMs >= kept.startedAtUnixMs)
        var status = try await unary(cluster, MethodPath.coordinatorNamespaceStatus, NamespaceStatusRequest(namespace: "code"), NamespaceStatus.self)
        #expect(status.runningSync?.sent == 2 && status.lastSync == nil && status.info.name == "code")
        report.sent = 5
        report.state = .finished
        _ = try await unary(cluster, MethodPath.coordinatorRecordSync, RecordSyncRequest(sync: report), SyncRecord.self)
        status = try await unary(cluster, MethodPath.coordinatorNamespaceStatus, NamespaceStatusRequest(namespace: "code"), NamespaceStatus.self)
        #expect(status.runningSync == nil && status.lastSync?.state == .finished && status.lastSync?.finishedAtUnixMs ?? 0 > 0)

        var other = SyncRecord(syncID: "x", namespace: "nope", state: .running)
        var error = await #expect(throws: RPCError.self) {
            _ = try await unary(cluster, MethodPath.coordinatorRecordSync, RecordSyncRequest(sync: other), SyncRecord.self)
        }
        #expect(error?.code == .notFound)
        other.namespace = "code"
        other.state = .abandoned
        error = await #expect(throws: RPCError.self) {
            _ = try await unary(cluster, MethodPath.coordinatorRecordSync, RecordSyncRequest(sync: other), SyncRecord.self)
        }
        #expect(error?.code == .invalidArgument && error?.message.contains("ABANDONED") == true)
        await cluster.stop()
    }

    @Test func syncRecordsSurviveARestart() throws {
        let directory = TestSupport.temporaryDirectory("strata-syncs")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let registry = try SyncRegistry(dataDirectory: directory, staleAfterMs: 60_000, nowMs: { 5000 })
        _ = try registry.record(SyncRecord(syncID: "a", namespace: "code", state: .finished))
        _ = try registry.record(SyncRecord(syncID: "b", namespace: "code", state: .running))
        let reopened = try SyncRegistry(dataDirectory: directory, staleAfterMs: 60_000, nowMs: { 6000 })
        #expect(reopened.status("code") == registry.status("code"))
        #expect(reopened.status("code").last?.syncID == "a" && reopened.status("code").running?.syncID == "b")
    }
}
