import StrataCore
import Testing
@testable import StrataSearch

/// A slot's index written as a snapshot and read back answers exactly as the index it was
/// taken from, and a snapshot that is torn, corrupted or names another store position is
/// never used.
@Suite struct SearchIndexSnapshotTests {
    private static var none: SlotSearchIndex.SlotReader { { _, _, _ throws(StrataError) in } }
    private static let words = ["cache", "evict", "tier", "slot", "worker", "replica", "budget", "token", "chunk", "query"]

    private static func index() -> SlotSearchIndex {
        SlotSearchIndex(settings: SearchSettings(), defaultTopK: 10, defaultLexicalWeight: 0.5)
    }

    /// Two namespaces over four slots: "v" with 8-dim vectors (one chunk in five without),
    /// metadata and multi-chunk documents, "t" text only; then deletes and re-puts, so the
    /// shards hold dead slots when the snapshot is taken.
    private static func filled() throws -> SlotSearchIndex {
        var rng = SplitMix64(seed: 19)
        let index = index()
        for i in 0..<300 {
            let namespace = i % 3 == 0 ? "t" : "v"
            let document = "d\(i)"
            let chunks = (0..<(1 + i % 3)).map { (ordinal: Int) -> SlotSearchIndex.Entry in
                let text = (0..<6).map { _ in words[Int.random(in: 0..<words.count, using: &rng)] }.joined(separator: " ")
                let vector: [Float]? = namespace == "v" && (i + ordinal) % 5 != 0 ? (0..<8).map { _ in rng.gaussian() } : nil
                let metadata = try! DocumentMetadata(validating: [("lang", i % 2 == 0 ? "swift" : "python")], field: "m")
                let chunk = IndexedChunk(ref: ChunkRef(documentID: document, ordinal: Int32(ordinal), contentHash: ContentHash(high: UInt64(i), low: UInt64(ordinal))),
                                         text: text, metadata: metadata.dictionary, vector: vector)
                let detail = IndexedChunkDetail(provenance: ChunkProvenance(documentID: document, byteStart: ordinal * 10, byteEnd: ordinal * 10 + 9,
                                                                            lineStart: ordinal + 1, lineEnd: ordinal + 1),
                                                tokenCount: 6 + ordinal, metadata: metadata)
                return (chunk, detail)
            }
            try index.upsert(namespace: namespace, slot: UInt32(i % 4), documentID: document, chunks: chunks, reader: none)
        }
        for i in stride(from: 0, to: 300, by: 7) { index.remove(namespace: i % 3 == 0 ? "t" : "v", slot: UInt32(i % 4), documentID: "d\(i)") }
        return index
    }

    private static func answers(_ index: SlotSearchIndex) throws -> [[SlotCandidate]] {
        let slots: [UInt32] = [0, 1, 2, 3]
        let vector: [Float] = [0.3, -1, 0.5, 0.2, 0.9, -0.4, 0.1, 0.7]
        return [
            try index.search(SlotQuery(namespace: "v", slots: slots, text: "cache tier", mode: .lexical, topK: 20)),
            try index.search(SlotQuery(namespace: "v", slots: slots, vector: vector, mode: .vector, topK: 20)),
            try index.search(SlotQuery(namespace: "v", slots: slots, text: "budget token", vector: vector, mode: .hybrid, topK: 20)),
            try index.search(SlotQuery(namespace: "v", slots: slots, text: "replica", vector: vector, mode: .hybrid, topK: 20,
                                       metadataEquals: [("lang", "python")])),
            try index.search(SlotQuery(namespace: "t", slots: slots, text: "worker query", mode: .lexical, topK: 20, documentPrefix: "d1")),
        ]
    }

    @Test func aSlotReadBackFromItsSnapshotAnswersAsBefore() throws {
        let original = try Self.filled()
        let restored = Self.index()
        for slot: UInt32 in 0..<4 {
            try restored.install(slot: slot, payload: original.snapshotPayload(slot: slot)[...])
        }
        let expected = try Self.answers(original)
        #expect(expected.allSatisfy { !$0.isEmpty })
        #expect(try Self.answers(restored) == expected)
        #expect(restored.dimensions() == ["v": 8])
        let terms = try LexicalQuery(text: "cache evict").terms
        #expect(restored.statistics(namespace: "v", slots: [0, 1, 2, 3], terms: terms)
                == original.statistics(namespace: "v", slots: [0, 1, 2, 3], terms: terms))
        // The side tables come back: chunks awaiting a vector, and lookups by content hash.
        func pending(_ index: SlotSearchIndex) -> [UInt32: Set<ChunkRef>] {
            Dictionary(uniqueKeysWithValues: index.pendingVectors(namespace: "v", slots: [0, 1, 2, 3]).map {
                ($0.0, Set($0.1.withoutVector.values.flatMap { $0 }))
            })
        }
        #expect(!pending(original).isEmpty)
        #expect(pending(restored) == pending(original))
        let probe = original.snapshot(namespace: "v", slots: [2]).shards[0].shard.chunks(ofDocument: "d2")[0]
        #expect(restored.locate(namespace: "v", contentHash: probe.contentHash)! == original.locate(namespace: "v", contentHash: probe.contentHash)!)
        // A restored index keeps taking writes like the original.
        let chunk = IndexedChunk(ref: ChunkRef(documentID: "new", ordinal: 0, contentHash: ContentHash(high: 1 << 40, low: 0)), text: "fresh words",
                                 vector: [Float](repeating: 1, count: 8))
        let detail = IndexedChunkDetail(provenance: ChunkProvenance(documentID: "new", byteStart: 0, byteEnd: 11, lineStart: 1, lineEnd: 1), tokenCount: 2)
        for index in [original, restored] {
            try index.upsert(namespace: "v", slot: 1, documentID: "new", chunks: [(chunk, detail)], reader: Self.none)
            index.remove(namespace: "v", slot: 2, documentID: "d2")
        }
        #expect(try Self.answers(restored) == Self.answers(original))
    }

    @Test func aTornCorruptedOrStaleSnapshotIsNeverUsed() throws {
        let original = try Self.filled()
        let frame = SearchIndexSnapshotFrame(slot: 1, sequence: 42, digest: 0xfeed)
        let bytes = frame.framing(original.snapshotPayload(slot: 1))
        #expect(frame.payload(of: bytes) != nil)
        // Another position of the same slot (written since), or another slot: not used.
        #expect(SearchIndexSnapshotFrame(slot: 1, sequence: 43, digest: 0xfeed).payload(of: bytes) == nil)
        #expect(SearchIndexSnapshotFrame(slot: 1, sequence: 42, digest: 0xfeee).payload(of: bytes) == nil)
        #expect(SearchIndexSnapshotFrame(slot: 2, sequence: 42, digest: 0xfeed).payload(of: bytes) == nil)
        // A write cut short anywhere (a kill during the write), or extended: not used.
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 997)) {
            #expect(frame.payload(of: Array(bytes.prefix(length))) == nil)
        }
        #expect(frame.payload(of: bytes + [0]) == nil)
        // Any single flipped byte, in the header or the payload: not used.
        var rng = SplitMix64(seed: 7)
        let positions = Array(0..<SearchIndexSnapshotFrame.headerSize) + (0..<400).map { _ in Int.random(in: 0..<bytes.count, using: &rng) }
        for position in positions {
            var corrupt = bytes
            corrupt[position] ^= UInt8.random(in: 1...255, using: &rng)
            #expect(frame.payload(of: corrupt) == nil, "byte \(position) flipped")
        }
    }

    @Test func aPayloadThatDoesNotParseChangesNothing() throws {
        let original = try Self.filled()
        let before = try Self.answers(original)
        let payload = original.snapshotPayload(slot: 3)
        // Cut at many places, or with garbage appended: refused, and the index answers as before.
        for length in stride(from: 0, to: payload.count, by: max(1, payload.count / 97)) {
            #expect(throws: StrataError.self) { try original.install(slot: 3, payload: payload.prefix(length)) }
        }
        #expect(throws: StrataError.self) { try original.install(slot: 3, payload: (payload + [1, 2, 3])[...]) }
        // Taken under another metric.
        let dot = SlotSearchIndex(settings: SearchSettings(metric: .dot), defaultTopK: 10, defaultLexicalWeight: 0.5)
        #expect(throws: StrataError.self) { try dot.install(slot: 3, payload: payload[...]) }
        #expect(try Self.answers(original) == before)
    }
}
