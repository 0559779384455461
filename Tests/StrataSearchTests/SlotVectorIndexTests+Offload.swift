import Foundation
import StrataCore
import Testing

@testable import StrataSearch

/// Once a namespace's IVF index is ready its shards drop their vector rows (the lists hold
/// them, the store is the source of truth): answers stay the exact scan's through writes,
/// filters, a slot rebuilt, a restart from snapshots and a torn list file.
extension SlotVectorIndexTests {
    /// A chunk with a content hash of its own (the store's key for its vector) and metadata to filter on.
    static func storedEntry(_ document: String, _ ordinal: Int32, _ vector: [Float]?) -> SlotSearchIndex.Entry {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in document.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let ref = ChunkRef(documentID: document, ordinal: ordinal, contentHash: ContentHash(high: hash, low: UInt64(ordinal)))
        let parity = document.utf8.count % 2 == 0 ? "even" : "odd"
        // The document's metadata, as the worker indexes it: filterable on the chunk, kept in the details.
        let metadata = DocumentMetadata(sortedUnique: [.init(key: "parity", value: parity)])
        return (IndexedChunk(ref: ref, text: "text of \(document) \(ordinal)", metadata: ["parity": parity], vector: vector),
                IndexedChunkDetail(provenance: ChunkProvenance(documentID: document, byteStart: 0, byteEnd: 1, lineStart: 1, lineEnd: 1),
                                   tokenCount: 4, metadata: metadata))
    }

    /// Waits (up to 60 s) until the namespace's index is ready and its shards hold no rows.
    static func waitUntilOffloaded(_ index: SlotSearchIndex) throws {
        try waitUntilReady(index)
        for _ in 0..<6_000 where index.shardVectorBytes(namespace: "n") > 0 { usleep(10_000) }
        #expect(index.shardVectorBytes(namespace: "n") == 0)
        #expect(index.vectorIndexStatus()[0].shardVectorBytes == 0)
    }

    /// Filtered queries (document prefix, metadata) answer as the exact scan.
    static func expectSameFilteredAnswers(_ ivf: SlotSearchIndex, _ exact: SlotSearchIndex, rng: inout SplitMix64) throws {
        for mode in [SearchMode.vector, .hybrid] {
            let vector = (0..<dimension).map { _ in rng.gaussian() }
            for query in [SlotQuery(namespace: "n", slots: (0..<12).map(UInt32.init), text: mode == .vector ? "" : "text d1", vector: vector,
                                    mode: mode, topK: 5, documentPrefix: "d1"),
                          SlotQuery(namespace: "n", slots: [0, 3, 5, 8], text: mode == .vector ? "" : "text", vector: vector,
                                    mode: mode, topK: 7, metadataEquals: [(key: "parity", value: "even")])] {
                let a = try ivf.search(query)
                let b = try exact.search(query)
                #expect(!a.isEmpty)
                #expect(a.map(\.ref) == b.map(\.ref))
                #expect(a.map(\.vectorScore) == b.map(\.vectorScore))
            }
        }
    }

    @Test func onceReadyTheShardsDropTheirVectorsAndAnswersStayExact() throws {
        try Self.withDirectory { dir in
            var rng = SplitMix64(seed: 1905)
            let store = StoredVectorsTestDouble()
            // The switch at 400 of the ~450 vectors: the index is cut for nearly all of them, so
            // the writes below do not make it outgrow its lists (and be built again) meanwhile.
            let ivf = Self.ivfIndex(dir, minimumVectors: 400)
            ivf.attachStoredVectors(store.lookup)
            let exact = Self.exactIndex()
            var data: [UInt32: [(String, [SlotSearchIndex.Entry])]] = [:]
            func put(_ slot: UInt32, _ document: String, _ chunks: [SlotSearchIndex.Entry], into indexes: [SlotSearchIndex]) throws {
                store.record("n", chunks)
                try Self.upsert(indexes, slot: slot, document, chunks)
                data[slot, default: []].removeAll { $0.0 == document }
                data[slot, default: []].append((document, chunks))
            }
            for i in 0..<300 {
                try put(UInt32(i % 12), "d\(i)", (0..<Int32(1 + i % 2)).map { Self.storedEntry("d\(i)", $0, (0..<Self.dimension).map { _ in rng.gaussian() }) },
                        into: [ivf, exact])
            }
            try Self.waitUntilOffloaded(ivf)
            try Self.expectSameAnswers(ivf, exact, rng: &rng)
            try Self.expectSameFilteredAnswers(ivf, exact, rng: &rng)

            // Writes: the IVF index gets the vectors, the shards record presence only.
            let target = (0..<Self.dimension).map { _ in rng.gaussian() }
            let top = SlotQuery(namespace: "n", slots: (0..<12).map(UInt32.init), vector: target, mode: .vector, topK: 3)
            try put(5, "new", [Self.storedEntry("new", 0, target)], into: [ivf, exact])
            #expect(try ivf.search(top).first?.ref.documentID == "new")
            for index in [ivf, exact] { index.remove(namespace: "n", slot: 3, documentID: "d3") }
            data[3]!.removeAll { $0.0 == "d3" }
            for index in [ivf, exact] { index.dropNamespace("n", slot: 4) }
            data[4] = nil
            // A new shard of the namespace (slot 4 again) starts without rows.
            try put(4, "late", [Self.storedEntry("late", 0, target.map { $0 * 2 })], into: [ivf, exact])
            #expect(ivf.shardVectorBytes(namespace: "n") == 0, "\(ivf.vectorIndexStatus())")
            try Self.expectSameAnswers(ivf, exact, rng: &rng)
            try Self.expectSameFilteredAnswers(ivf, exact, rng: &rng)

            // A slot rebuilt from the store: the rows come back, the exact scan serves while the
            // index is built again, then they are dropped again.
            let reader: SlotSearchIndex.SlotReader = { slot, _, emit throws(StrataError) in
                for (_, chunks) in data[slot] ?? [] { for chunk in chunks { try emit("n", chunk) } }
            }
            try ivf.rebuild(slot: 2, namespace: "n", reader: reader)
            try Self.expectSameAnswers(ivf, exact, rng: &rng, modes: [.vector])
            try Self.waitUntilOffloaded(ivf)
            try Self.expectSameAnswers(ivf, exact, rng: &rng)

            // A restart from snapshots taken without rows: read back from the store before the
            // exact scan or the build needs them, dropped again once the index is ready.
            ivf.vectorIndexes!.close()
            let restarted = Self.ivfIndex(dir, minimumVectors: 400, cacheBytes: 0)
            restarted.attachStoredVectors(store.lookup)
            for slot in (0..<12).map(UInt32.init) { try restarted.install(slot: slot, payload: ivf.snapshotPayload(slot: slot)[...]) }
            #expect(restarted.shardVectorBytes(namespace: "n") == 0)
            restarted.startVectorIndexes()
            try Self.expectSameAnswers(restarted, exact, rng: &rng, modes: [.vector])
            try Self.waitUntilOffloaded(restarted)
            try Self.expectSameAnswers(restarted, exact, rng: &rng)
            try Self.expectSameFilteredAnswers(restarted, exact, rng: &rng)

            // A list file torn while serving (no memory budget: every read goes to disk) is
            // rebuilt from the store's vectors: same chunks, scores to FP16 precision.
            try Self.flipABitInEveryListFile(restarted)
            let lookupsBefore = store.lookups.load(ordering: .relaxed)
            let found = try restarted.search(top)
            let expected = try exact.search(top)
            #expect(found.map(\.ref) == expected.map(\.ref))
            for (a, b) in zip(found, expected) { #expect(abs(a.vectorScore - b.vectorScore) < 1e-2) }
            #expect(restarted.vectorIndexStatus()[0].counters.rebuiltLists > 0)
            #expect(store.lookups.load(ordering: .relaxed) > lookupsBefore)
            restarted.vectorIndexes!.close()
        }
    }

    @Test func anIndexThatOutgrowsItsListsOverDroppedRowsIsBuiltAgainAndAnswersStayExact() throws {
        try Self.withDirectory { dir in
            var rng = SplitMix64(seed: 1906)
            let store = StoredVectorsTestDouble()
            // Cut at 100 of ~900 vectors: it outgrows its lists (several times) as the rest arrive.
            let ivf = Self.ivfIndex(dir, minimumVectors: 100)
            ivf.attachStoredVectors(store.lookup)
            let exact = Self.exactIndex()
            for i in 0..<600 {
                let chunks = (0..<Int32(1 + i % 2)).map { Self.storedEntry("d\(i)", $0, (0..<Self.dimension).map { _ in rng.gaussian() }) }
                store.record("n", chunks)
                try Self.upsert([ivf, exact], slot: UInt32(i % 12), "d\(i)", chunks)
                if i % 100 == 99 { try Self.expectSameAnswers(ivf, exact, rng: &rng, modes: [.vector]) }
            }
            try Self.waitUntilOffloaded(ivf)
            try Self.expectSameAnswers(ivf, exact, rng: &rng)
            try Self.expectSameFilteredAnswers(ivf, exact, rng: &rng)
            #expect(ivf.vectorIndexStatus()[0].vectors == exact.vectorCount(namespace: "n"))
            ivf.vectorIndexes!.close()
        }
    }
}
