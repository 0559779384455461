import Foundation
import StrataCore
@testable import StrataNode
import StrataRPC
import StrataSearch
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

/// A put whose document carries `metadata` (and whose chunks do not: the document's list is
/// authoritative), each chunk with a 2-dim vector.
private func put(_ sequence: UInt64, _ id: String, _ texts: [String], _ vectors: [[Float]], _ metadata: [(String, String)])
    -> StrataWire.SlotWrite
{
    let chunks = texts.enumerated().map { ordinal, text in
        ChunkMessage(namespace: "docs", contentHash: ContentHash.of(text),
                     provenance: ChunkProvenance(documentID: id, byteStart: ordinal * 100, byteEnd: ordinal * 100 + text.utf8.count,
                                                 lineStart: ordinal + 1, lineEnd: ordinal + 1),
                     ordinal: UInt32(ordinal), text: text, tokenCount: UInt32(text.count / 4 + 1), vector: vectors[ordinal])
    }
    return StrataWire.SlotWrite(sequence: sequence, namespace: "docs", operation: .put(PutDocument(
        documentID: id, metadata: metadata.map { KeyValue(key: $0.0, value: $0.1) }, chunks: chunks)))
}

private func where_(_ pairs: (String, String)...) -> Filter {
    Filter(metadataEquals: pairs.map { KeyValue(key: $0.0, value: $0.1) })
}

private func ids(_ response: WorkerSearchResponse) -> Set<String> { Set(response.candidates.map(\.chunk.provenance.documentID)) }

/// Three documents in two slots: two Python files of different teams, one Swift file.
private func load(_ worker: WorkerUnderTest) async throws {
    try await worker.apply(1, [put(1, "a.py", ["def parse_request(data): return data", "parse the request headers"], [[1, 0], [0.9, 0.1]],
                                   [("lang", "python"), ("team", "web")])])
    try await worker.apply(1, [put(2, "b.py", ["def parse_json(text): parse request body"], [[0.8, 0.2]],
                                   [("team", "data"), ("lang", "python")])])
    try await worker.apply(2, [put(1, "c.swift", ["func parseRequest() parse request in swift"], [[0.7, 0.3]], [("lang", "swift")])])
}

@Suite(.serialized) struct MetadataFilterTests {
    @Test func filtersApplyInLexicalVectorAndHybridSearch() async throws {
        let worker = try WorkerUnderTest()
        try await load(worker)
        func search(_ mode: QueryMode, _ filter: Filter) async throws -> WorkerSearchResponse {
            try await worker.search(WorkerSearchRequest(namespace: "docs", slots: [1, 2], text: mode == .vector ? "" : "parse request",
                                                        vector: mode == .lexical ? [] : [1, 0], mode: mode, topK: 10, filter: filter))
        }
        for mode in [QueryMode.lexical, .vector, .hybrid] {
            #expect(ids(try await search(mode, Filter())) == ["a.py", "b.py", "c.swift"], "\(mode)")
            #expect(ids(try await search(mode, where_(("lang", "python")))) == ["a.py", "b.py"], "\(mode)")
            #expect(ids(try await search(mode, where_(("lang", "python"), ("team", "data")))) == ["b.py"], "\(mode)")
            // Exact and case-sensitive, keys and values alike.
            #expect(ids(try await search(mode, where_(("lang", "Python")))).isEmpty, "\(mode)")
            #expect(ids(try await search(mode, where_(("Lang", "python")))).isEmpty, "\(mode)")
            // A key no document has matches nothing, without an error.
            #expect(ids(try await search(mode, where_(("owner", "x")))).isEmpty, "\(mode)")
            // One key asked with two values can never hold.
            #expect(ids(try await search(mode, where_(("lang", "python"), ("lang", "swift")))).isEmpty, "\(mode)")
            // The same pair twice is the pair once.
            #expect(ids(try await search(mode, where_(("lang", "swift"), ("lang", "swift")))) == ["c.swift"], "\(mode)")
            // Together with the document prefix: both must hold.
            var both = where_(("lang", "python"))
            both.documentPrefix = "b"
            #expect(ids(try await search(mode, both)) == ["b.py"], "\(mode)")
        }
        // Every candidate carries its document's metadata, sorted by key.
        let candidates = try await search(.hybrid, where_(("team", "web"))).candidates
        #expect(!candidates.isEmpty)
        #expect(candidates.allSatisfy { $0.chunk.metadata == [KeyValue(key: "lang", value: "python"), KeyValue(key: "team", value: "web")] })
        // So does a fetched chunk.
        let fetched = try await worker.fetch([ContentHash.of("func parseRequest() parse request in swift")])
        #expect(fetched.first?.metadata == [KeyValue(key: "lang", value: "swift")])
        await worker.destroy()
    }

    @Test func statisticsIgnoreTheFilterSoAFilteredRankingIsTheFullRankingNarrowed() async throws {
        let worker = try WorkerUnderTest()
        try await load(worker)
        let terms = try LexicalQuery(text: "parse request").terms
        let plain = try StrataWire.LexicalStatistics(serializedBytes: await worker.channel.unary(
            MethodPath.workerCollectStatistics, CollectStatisticsRequest(namespace: "docs", slots: [1, 2], terms: terms).serializedBytes()))
        let filtered = try StrataWire.LexicalStatistics(serializedBytes: await worker.channel.unary(
            MethodPath.workerCollectStatistics,
            CollectStatisticsRequest(namespace: "docs", slots: [1, 2], terms: terms, filter: where_(("lang", "swift"))).serializedBytes()))
        #expect(plain == filtered)
        #expect(plain.chunkCount == 4)
        let all = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: [1, 2], text: "parse request", mode: .lexical, topK: 10))
        let python = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: [1, 2], text: "parse request", mode: .lexical,
                                                                 topK: 10, filter: where_(("lang", "python"))))
        let narrowed = all.candidates.filter { $0.chunk.provenance.documentID.hasSuffix(".py") }
        #expect(python.candidates.map(\.chunk.contentHash) == narrowed.map(\.chunk.contentHash))
        #expect(python.candidates.map(\.lexicalScore) == narrowed.map(\.lexicalScore))
        await worker.destroy()
    }

    @Test func metadataSurvivesARestartAndASlotCopy() async throws {
        let first = try WorkerUnderTest()
        let directory = first.directory
        try await load(first)
        await first.stop()
        let restarted = try WorkerUnderTest(directory: directory)
        let request = WorkerSearchRequest(namespace: "docs", slots: [1, 2], text: "parse request", mode: .lexical, topK: 10,
                                          filter: where_(("team", "web")))
        #expect(ids(try await restarted.search(request)) == ["a.py"])

        // A replica filled from the slot stream filters the same way.
        let replica = try WorkerUnderTest()
        for slot: UInt32 in [1, 2] {
            let writes = try await restarted.stream(slot, after: 0).compactMap { record -> StrataWire.SlotWrite? in
                if case .write(let write) = record { return write } else { return nil }
            }
            try await replica.apply(slot, writes)
        }
        #expect(try await replica.search(request).candidates == (try await restarted.search(request)).candidates)
        await restarted.destroy()
        await replica.destroy()
    }

    @Test func badMetadataIsRefusedWithTheFieldAndNothingIsStored() async throws {
        let worker = try WorkerUnderTest()
        try await load(worker)
        let cases: [([(String, String)], String)] = [
            ((0...DocumentMetadata.maximumPairs).map { ("k\($0)", "v") }, "writes[0].put.metadata has 33 pairs"),
            ([("lang", "py"), (String(repeating: "k", count: DocumentMetadata.maximumKeyBytes + 1), "v")], "writes[0].put.metadata[1].key"),
            ([("lang", String(repeating: "v", count: DocumentMetadata.maximumValueBytes + 1))], "writes[0].put.metadata[0].value"),
            ([("lang", "py"), ("lang", "go")], "writes[0].put.metadata[1].key \"lang\" repeats"),
        ]
        for (metadata, field) in cases {
            let error = await #expect(throws: RPCError.self) {
                try await worker.apply(1, [put(3, "bad.py", ["parse request badly"], [[1, 0]], metadata)])
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains(field) == true, "\(String(describing: error?.message)) should name \(field)")
        }
        #expect(try await worker.slotSequence(1) == 2)
        let found = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: [1], text: "badly", mode: .lexical, topK: 10))
        #expect(found.candidates.isEmpty)
        await worker.destroy()
    }
}
