import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataSearch
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

private func put(_ sequence: UInt64, _ id: String, _ texts: [String], vectors: [[Float]] = [], namespace: String = "docs")
    -> StrataWire.SlotWrite
{
    let chunks = texts.enumerated().map { ordinal, text in
        ChunkMessage(namespace: namespace, contentHash: ContentHash.of(text),
                     provenance: ChunkProvenance(documentID: id, byteStart: ordinal * 100, byteEnd: ordinal * 100 + text.utf8.count,
                                                 lineStart: ordinal + 1, lineEnd: ordinal + 1),
                     ordinal: UInt32(ordinal), text: text, tokenCount: UInt32(text.count / 4 + 1),
                     vector: vectors.isEmpty ? [] : vectors[ordinal])
    }
    return StrataWire.SlotWrite(sequence: sequence, namespace: namespace, operation: .put(PutDocument(documentID: id, chunks: chunks)))
}

private func delete(_ sequence: UInt64, _ id: String) -> StrataWire.SlotWrite {
    StrataWire.SlotWrite(sequence: sequence, namespace: "docs", operation: .deleteDocument(id: id))
}

/// A small corpus over three slots, each chunk with a 4-dim vector.
private let corpus: [(slot: UInt32, id: String, texts: [String], vectors: [[Float]])] = [
    (1, "src/http.py", ["def parse_request(data): return HTTPRequest(data)", "class HTTPRequest: headers body method"],
     [[1, 0, 0, 0], [0.9, 0.1, 0, 0]]),
    (1, "src/json.py", ["def parse_json(text): return json.loads(text)"], [[0, 1, 0, 0]]),
    (2, "docs/readme.md", ["How to parse a request: call parse_request with the raw bytes"], [[0.7, 0.7, 0, 0]]),
    (2, "src/db.py", ["def connect(url): return Connection(url) # database connection pool"], [[0, 0, 1, 0]]),
    (3, "src/cache.py", ["class Cache: get put evict request cache entries"], [[0, 0, 0.5, 0.5]]),
    (3, "tests/test_http.py", ["def test_parse_request(): assert parse_request(b'GET') is not None"], [[0.8, 0, 0.2, 0]]),
]

/// Writes the corpus's documents of `slots` into `worker`, one write per document.
private func load(_ worker: WorkerUnderTest, slots: Set<UInt32>) async throws {
    var sequences: [UInt32: UInt64] = [:]
    for document in corpus where slots.contains(document.slot) {
        let sequence = (sequences[document.slot] ?? 0) + 1
        sequences[document.slot] = sequence
        try await worker.apply(document.slot, [put(sequence, document.id, document.texts, vectors: document.vectors)])
    }
}

private func ids(_ response: WorkerSearchResponse) -> [String] { response.candidates.map(\.chunk.provenance.documentID) }

/// What a coordinator does with several workers' hybrid candidates: merge each component list
/// by its score, then fuse.
private func fuse(_ responses: [WorkerSearchResponse], weight: Double, k: Int) -> [SearchHit] {
    func hits(_ lexical: Bool) -> [SearchHit] {
        responses.flatMap(\.candidates).filter { lexical ? $0.lexicalRank > 0 : $0.vectorRank > 0 }.map { candidate in
            SearchHit(ref: ChunkRef(documentID: candidate.chunk.provenance.documentID, ordinal: Int32(candidate.chunk.ordinal),
                                    contentHash: candidate.chunk.contentHash),
                      score: lexical ? candidate.lexicalScore : candidate.vectorScore)
        }
    }
    let fusion = FusionSettings(lexicalWeight: weight, vectorWeight: 1 - weight)
    return ReciprocalRankFusion.fuse(lexical: ShardResultMerging.mergeByScore([hits(true)], k: fusion.depth),
                                     vector: ShardResultMerging.mergeByScore([hits(false)], k: fusion.depth), settings: fusion, k: k)
}

@Suite(.serialized) struct WorkerSearchTests {
    @Test func searchesLexicallyByVectorAndHybrid() async throws {
        let worker = try WorkerUnderTest()
        try await load(worker, slots: [1, 2, 3])
        let all: [UInt32] = [1, 2, 3]

        let lexical = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: all, text: "parse_request", mode: .lexical,
                                                                  topK: 3, includeText: true))
        #expect(lexical.candidates.count == 3)
        #expect(Set(ids(lexical)).isSubset(of: ["src/http.py", "docs/readme.md", "tests/test_http.py"]))
        #expect(lexical.candidates.first?.chunk.text.contains("parse_request") == true)
        #expect(lexical.candidates.map(\.lexicalRank) == [1, 2, 3])
        #expect(lexical.candidates.allSatisfy { $0.score == $0.lexicalScore && $0.score > 0 && $0.vectorRank == 0 })
        #expect(lexical.missingSlots.isEmpty)
        // Without include_text the text stays home; provenance and token counts travel.
        let bare = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: all, text: "parse_request", mode: .lexical, topK: 3))
        #expect(bare.candidates.allSatisfy { $0.chunk.text.isEmpty && $0.chunk.tokenCount > 0 })
        #expect(bare.candidates.map(\.chunk.contentHash) == lexical.candidates.map(\.chunk.contentHash))

        let vector = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: all, vector: [0, 0, 1, 0], mode: .vector, topK: 2))
        #expect(ids(vector) == ["src/db.py", "src/cache.py"])
        #expect(vector.candidates.map(\.vectorRank) == [1, 2])
        #expect(abs(vector.candidates[0].vectorScore - 1) < 0.01)

        // Hybrid: fused order, both component ranks, and the chunk both lists rank first wins.
        let hybrid = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: all, text: "HTTPRequest headers",
                                                                 vector: [0.9, 0.1, 0, 0], mode: .auto, topK: 2))
        #expect(hybrid.candidates.first?.chunk.ordinal == 1)
        #expect(hybrid.candidates.first?.chunk.provenance.documentID == "src/http.py")
        #expect(hybrid.candidates.first?.lexicalRank == 1)
        #expect(hybrid.candidates.first?.vectorRank == 1)
        #expect(zip(hybrid.candidates, hybrid.candidates.dropFirst()).allSatisfy { $0.score >= $1.score })

        // Filters: document-id prefix, and only the requested slots are searched.
        let filtered = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: all, text: "parse_request", mode: .lexical,
                                                                   topK: 10, filter: Filter(documentPrefix: "src/")))
        #expect(ids(filtered).first == "src/http.py")
        #expect(ids(filtered).count == 4)
        #expect(ids(filtered).allSatisfy { $0.hasPrefix("src/") })
        let slotTwo = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: [2], text: "parse_request", mode: .lexical, topK: 10))
        #expect(ids(slotTwo) == ["docs/readme.md"])
        await worker.destroy()
    }

    @Test func mergedStatisticsFromTwoWorkersScoreLikeOneWorker() async throws {
        let left = try WorkerUnderTest()
        let right = try WorkerUnderTest()
        let reference = try WorkerUnderTest()
        try await load(left, slots: [1, 2])
        try await load(right, slots: [3])
        try await load(reference, slots: [1, 2, 3])
        let text = "parse request cache"

        let parts = [try await left.statistics([1, 2], text), try await right.statistics([3], text)]
        let global = StrataWire.LexicalStatistics(
            chunkCount: parts.map(\.chunkCount).reduce(0, +), totalLength: parts.map(\.totalLength).reduce(0, +),
            documentFrequencies: zip(parts[0].documentFrequencies, parts[1].documentFrequencies).map { $0 + $1 })
        #expect(global == (try await reference.statistics([1, 2, 3], text)))
        #expect(global.chunkCount == 7)

        let request = { (slots: [UInt32], statistics: StrataWire.LexicalStatistics) in
            WorkerSearchRequest(namespace: "docs", slots: slots, text: text, mode: .lexical, topK: 5, globalStatistics: statistics)
        }
        let one = try await reference.search(request([1, 2, 3], StrataWire.LexicalStatistics()))
        let merged = (try await left.search(request([1, 2], global)).candidates + (try await right.search(request([3], global))).candidates)
            .sorted { $0.score > $1.score }.prefix(5)
        #expect(one.candidates.count == 5)
        #expect(merged.map(\.chunk.contentHash) == one.candidates.map(\.chunk.contentHash))
        #expect(merged.map(\.score) == one.candidates.map(\.score))
        // Each worker's own statistics give other scores: the global ones are what makes them equal.
        let local = try await right.search(request([3], StrataWire.LexicalStatistics()))
        let viaGlobal = try await right.search(request([3], global))
        #expect(local.candidates.map(\.score) != viaGlobal.candidates.map(\.score))

        // Hybrid: the coordinator's merge of both workers' component lists equals one worker's fusion.
        let hybrid = { (slots: [UInt32], statistics: StrataWire.LexicalStatistics) in
            WorkerSearchRequest(namespace: "docs", slots: slots, text: text, vector: [0.8, 0.2, 0.1, 0], mode: .hybrid, topK: 4,
                                globalStatistics: statistics)
        }
        let single = try await reference.search(hybrid([1, 2, 3], StrataWire.LexicalStatistics()))
        let fused = fuse([try await left.search(hybrid([1, 2], global)), try await right.search(hybrid([3], global))], weight: 0.5, k: 4)
        #expect(fused.map(\.ref.contentHash) == single.candidates.prefix(4).map(\.chunk.contentHash))
        #expect(fused.map(\.score) == single.candidates.prefix(4).map(\.score))
        await left.destroy()
        await right.destroy()
        await reference.destroy()
    }

    @Test func deletesAndDropsDisappearAndRestartRebuildsTheIndex() async throws {
        let worker = try WorkerUnderTest()
        try await load(worker, slots: [1, 2, 3])
        let query = WorkerSearchRequest(namespace: "docs", slots: [1, 2, 3], text: "parse_request", vector: [1, 0, 0, 0], mode: .hybrid, topK: 10)
        #expect(ids(try await worker.search(query)).contains("tests/test_http.py"))

        try await worker.apply(3, [delete(3, "tests/test_http.py")])
        let afterDelete = try await worker.search(query)
        #expect(!ids(afterDelete).contains("tests/test_http.py"))
        #expect(ids(afterDelete).contains("src/cache.py"))
        // An upsert replaces the document's chunks: the old text is no longer found.
        let lexical = WorkerSearchRequest(namespace: "docs", slots: [1, 2, 3], text: "headers", mode: .lexical, topK: 10)
        #expect(ids(try await worker.search(lexical)) == ["src/http.py"])
        try await worker.apply(1, [put(3, "src/http.py", ["def handle(conn): serve forever"], vectors: [[1, 0, 0, 0]])])
        #expect(try await worker.search(lexical).candidates.isEmpty)
        try await worker.apply(2, [StrataWire.SlotWrite(sequence: 3, namespace: "docs", operation: .dropNamespace)])
        let before = try await worker.search(query)
        #expect(!ids(before).contains("docs/readme.md"))
        #expect(Set(ids(before)) == ["src/http.py", "src/json.py", "src/cache.py"])
        let statistics = try await worker.statistics([1, 2, 3], "parse request")

        // A new worker on the same data directory rebuilds the same index from the store.
        let directory = worker.directory
        await worker.stop()
        let restarted = try WorkerUnderTest(directory: directory)
        let after = try await restarted.search(query)
        #expect(after == before)
        #expect(try await restarted.statistics([1, 2, 3], "parse request") == statistics)
        #expect(try await restarted.search(lexical).candidates.isEmpty)
        await restarted.destroy()
    }

    @Test func aReplicaFilledFromASlotStreamScoresLikeItsSource() async throws {
        let source = try WorkerUnderTest()
        let replica = try WorkerUnderTest()
        try await load(source, slots: [1, 2])
        for slot: UInt32 in [1, 2] {
            var writes: [StrataWire.SlotWrite] = []
            for try await bytes in source.channel.serverStreaming(
                MethodPath.workerStreamSlot, StreamSlotRequest(slot: slot, afterSequence: 0).serializedBytes()) {
                if case .write(let write) = try SlotRecord(serializedBytes: bytes) { writes.append(write) }
            }
            try await replica.apply(slot, writes)
        }
        // Vectors with components FP16 cannot hold exactly: the index keeps the store's precision.
        let query = WorkerSearchRequest(namespace: "docs", slots: [1, 2], text: "parse request", vector: [0.3, 0.1, 0.7, 0.01],
                                        mode: .hybrid, topK: 5)
        let expected = try await source.search(query)
        #expect(expected.candidates.count == 5)
        #expect(try await replica.search(query) == expected)
        await source.destroy()
        await replica.destroy()
    }

    @Test func concurrentWritesAndSearchesKeepTheIndexInStepWithTheStore() async throws {
        let worker = try WorkerUnderTest()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    var sequence: UInt64 = 0
                    for n in 0..<15 {
                        // Writers 0 and 1 share a slot stripe (slot mod 64); each writer owns its slot.
                        let slot = UInt32([10, 74, 11, 12][writer])
                        sequence += 1
                        try await worker.apply(slot, [put(sequence, "w\(writer)/d\(n)", ["shared words alpha \(n)", "beta \(writer)"],
                                                          vectors: [[1, Float(n), 0], [0, 1, Float(writer)]])])
                        if n % 3 == 2 {
                            sequence += 1
                            try await worker.apply(slot, [delete(sequence, "w\(writer)/d\(n - 1)")])
                        }
                    }
                }
            }
            group.addTask {
                for _ in 0..<30 {
                    _ = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: [10, 11, 12, 74], text: "shared alpha",
                                                                    vector: [1, 1, 0], mode: .hybrid, topK: 5))
                }
            }
            try await group.waitForAll()
        }
        // 15 documents per writer, the 5 deleted ones gone; every live chunk is found.
        let all = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: [10, 11, 12, 74], text: "shared", mode: .lexical,
                                                              topK: 50))
        #expect(all.candidates.count == 40)
        #expect(!ids(all).contains("w0/d1"))
        #expect(ids(all).contains("w3/d14"))
        await worker.destroy()
    }

    @Test func vectorsArrivingAfterTextOnlyDocumentsAreSearchable() async throws {
        let worker = try WorkerUnderTest()
        try await worker.apply(5, [put(1, "notes.txt", ["plain notes about request parsing"])])
        try await worker.apply(6, [put(1, "vec.txt", ["vector notes"], vectors: [[0, 1, 0]])])
        try await worker.apply(5, [put(2, "more.txt", ["more notes"], vectors: [[1, 0, 0]])])
        let vector = WorkerSearchRequest(namespace: "docs", slots: [5, 6], vector: [1, 0.1, 0], mode: .vector, topK: 5)
        #expect(ids(try await worker.search(vector)) == ["more.txt", "vec.txt"])
        let lexical = WorkerSearchRequest(namespace: "docs", slots: [5, 6], text: "notes", mode: .lexical, topK: 5)
        #expect(Set(ids(try await worker.search(lexical))) == ["notes.txt", "vec.txt", "more.txt"])
        let directory = worker.directory
        await worker.stop()
        let restarted = try WorkerUnderTest(directory: directory)
        #expect(ids(try await restarted.search(vector)) == ["more.txt", "vec.txt"])
        #expect(Set(ids(try await restarted.search(lexical))) == ["notes.txt", "vec.txt", "more.txt"])
        await restarted.destroy()
    }

    @Test func missingSlotsAreListedAndChunksAreFetchedByHash() async throws {
        let worker = try WorkerUnderTest()
        try await load(worker, slots: [1, 2])
        let response = try await worker.search(WorkerSearchRequest(namespace: "docs", slots: [1, 9, 2, 4], text: "parse", mode: .lexical))
        #expect(response.missingSlots == [4, 9])
        #expect(!response.candidates.isEmpty)
        // A namespace the worker has never seen answers nothing, not an error.
        let other = try await worker.search(WorkerSearchRequest(namespace: "other", slots: [1], text: "parse", vector: [1, 0, 0, 0], mode: .hybrid))
        #expect(other.candidates.isEmpty)

        let known = ContentHash.of("def parse_json(text): return json.loads(text)")
        let unknown = ContentHash.of("never stored")
        let chunks = try await worker.fetch([unknown, known, ContentHash.of(corpus[0].texts[1])])
        #expect(chunks.map(\.contentHash) == [known, ContentHash.of(corpus[0].texts[1])])
        #expect(chunks.first?.text == "def parse_json(text): return json.loads(text)")
        #expect(chunks.first?.provenance.documentID == "src/json.py")
        #expect(chunks.last?.ordinal == 1)
        #expect(chunks.last?.vector.count == 4)
        await worker.destroy()
    }

    @Test func badInputIsRefusedWithTheField() async throws {
        let worker = try WorkerUnderTest()
        try await load(worker, slots: [1])
        func refusal(_ request: WorkerSearchRequest) async -> RPCError? {
            await #expect(throws: RPCError.self) { _ = try await worker.search(request) }
        }
        let cases: [(WorkerSearchRequest, StatusCode, String)] = [
            (WorkerSearchRequest(namespace: "docs", slots: [1], text: "", mode: .lexical), .invalidArgument, "text"),
            (WorkerSearchRequest(namespace: "docs", slots: [1], text: "  ?! ", mode: .lexical), .invalidArgument, "text"),
            (WorkerSearchRequest(namespace: "docs", slots: [1], mode: .auto), .invalidArgument, "text and vector"),
            (WorkerSearchRequest(namespace: "docs", slots: [1], vector: [1, 0], mode: .vector), .invalidArgument, "vector has 2 dimensions"),
            (WorkerSearchRequest(namespace: "docs", slots: [1], vector: [1, .nan, 0, 0], mode: .vector), .invalidArgument, "vector[1]"),
            (WorkerSearchRequest(namespace: "docs", slots: [1], vector: [0, 0, 0, 0], mode: .vector), .invalidArgument, "all zeros"),
            (WorkerSearchRequest(namespace: "docs", slots: [1], text: "parse", mode: .hybrid), .invalidArgument, "vector is empty"),
            (WorkerSearchRequest(namespace: "docs", slots: [1], text: "parse", mode: .lexical, topK: 51), .outOfRange, "top_k"),
            (WorkerSearchRequest(namespace: "docs", slots: [1], text: "parse", mode: .lexical, lexicalWeight: 1.5), .invalidArgument, "lexical_weight"),
            (WorkerSearchRequest(namespace: "", slots: [1], text: "parse", mode: .lexical), .invalidArgument, "namespace"),
            (WorkerSearchRequest(namespace: "docs", slots: [1], text: "parse", mode: .lexical,
                                 filter: Filter(metadataEquals: [KeyValue(key: String(repeating: "k", count: 129), value: "py")])),
             .invalidArgument, "filter.metadata_equals[0].key"),
            (WorkerSearchRequest(namespace: "docs", slots: [1], text: "parse request", mode: .lexical,
                                 globalStatistics: StrataWire.LexicalStatistics(chunkCount: 3, totalLength: 30, documentFrequencies: [1])),
             .invalidArgument, "global_statistics.document_frequencies"),
        ]
        for (request, code, field) in cases {
            let error = await refusal(request)
            #expect(error?.code == code, "\(request)")
            #expect(error?.message.contains(field) == true, "\(String(describing: error?.message)) should name \(field)")
        }

        // Writes the index could not hold are refused before the store sees them.
        let wrongDimension = await #expect(throws: RPCError.self) {
            try await worker.apply(1, [put(3, "bad.py", ["bad vector"], vectors: [[1, 0, 0]])])
        }
        #expect(wrongDimension?.code == .invalidArgument)
        #expect(wrongDimension?.message.contains("writes[0].put.chunks[0].vector") == true)
        let otherDocument = await #expect(throws: RPCError.self) {
            try await worker.apply(1, [StrataWire.SlotWrite(sequence: 3, namespace: "docs", operation: .put(PutDocument(
                documentID: "a.py", chunks: put(3, "b.py", ["text"]).putChunks)))])
        }
        #expect(otherDocument?.code == .invalidArgument)
        #expect(otherDocument?.message.contains("provenance.document_id") == true)
        let status = try NodeStatusMessage(serializedBytes: await worker.channel.unary(MethodPath.workerStatus, WorkerStatusRequest().serializedBytes()))
        #expect(status.report.slots.first { $0.slot == 1 }?.sequence == 2)
        await worker.destroy()
    }
}

private extension StrataWire.SlotWrite {
    var putChunks: [ChunkMessage] {
        if case .put(let document) = operation { return document.chunks }
        return []
    }
}
