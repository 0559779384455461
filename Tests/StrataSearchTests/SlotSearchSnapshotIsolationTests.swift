import StrataCore
import Testing
@testable import StrataSearch

/// A query's snapshot of a worker's slot shards shares their storage (`SlotSearchShard` is
/// copy-on-write: one retained box per slot), so writers must copy a shard a snapshot holds
/// before changing it. This checks that a snapshot answers the same after upserts, removals
/// and dropped slots as before them, while the index itself answers differently.
@Suite struct SlotSearchSnapshotIsolationTests {
    private static let words = ["cache", "evict", "tier", "slot", "worker", "replica", "budget", "token", "chunk", "query"]
    private static var none: SlotSearchIndex.SlotReader { { _, _, _ throws(StrataError) in } }

    private static func entry(_ id: String, _ text: String, _ vector: [Float]) -> SlotSearchIndex.Entry {
        (ShardFixtures.chunk(id, 0, text, vector: vector),
         IndexedChunkDetail(provenance: ChunkProvenance(documentID: id, byteStart: 0, byteEnd: 1, lineStart: 1, lineEnd: 1), tokenCount: 6))
    }

    /// Everything a query reads of a set of shards: both lists (references and scores), the
    /// statistics and the chunks' details.
    private struct Answers: Equatable {
        var lexical: [SearchHit]
        var vector: [SearchHit]
        var statistics: TermCounts
        var details: [[ChunkRef: Int]]
        var hashes: [Int]
        var withoutVector: [Int]
    }

    private static func answers(_ shards: [SlotSearchShard], text: String, vector: [Float]) throws -> Answers {
        let query = try LexicalQuery(text: text)
        let counts = SlotSearchIndex.termCounts(shards, terms: query.terms)
        let lexical = SlotSearchIndex.lexicalLists(shards, query, statistics: counts.statistics(terms: query.terms), depth: 20, filter: .none)
        let vectors = try SlotSearchIndex.vectorLists(shards, vector, depth: 20, filter: .none)
        return Answers(lexical: lexical.map(\.hit), vector: vectors.map(\.hit), statistics: counts,
                       details: shards.map { $0.details.mapValues(\.tokenCount) }, hashes: shards.map(\.byHash.count),
                       withoutVector: shards.map(\.withoutVectorCount))
    }

    @Test func aSnapshotAnswersTheSameAfterWritesRemovalsAndDrops() throws {
        var rng = SplitMix64(seed: 1717)
        let index = SlotSearchIndex(settings: SearchSettings(), defaultTopK: 10, defaultLexicalWeight: 0.5)
        for i in 0..<160 {
            let text = (0..<6).map { _ in Self.words[Int.random(in: 0..<Self.words.count, using: &rng)] }.joined(separator: " ")
            try index.upsert(namespace: "n", slot: UInt32(i % 8), documentID: "d\(i)",
                             chunks: [Self.entry("d\(i)", text, (0..<8).map { _ in rng.gaussian() })], reader: Self.none)
        }
        let slots = (0..<8).map(UInt32.init)
        let text = "cache tier budget"
        let vector = (0..<8).map { _ in rng.gaussian() }
        let snapshot = index.snapshot(namespace: "n", slots: slots).shards
        let before = try Self.answers(snapshot, text: text, vector: vector)
        #expect(before.lexical.count == 20 && before.vector.count == 20)

        // Writes to every slot the snapshot holds: documents that would now rank first in both
        // lists, replaced and removed documents among the snapshot's best, a chunk without a
        // vector, a slot emptied by removals, and a dropped slot.
        for slot in slots {
            try index.upsert(namespace: "n", slot: slot, documentID: "new\(slot)",
                             chunks: [Self.entry("new\(slot)", "cache tier budget cache tier budget", vector)], reader: Self.none)
        }
        for hit in before.lexical.prefix(5) + before.vector.prefix(5) {
            let slot = UInt32(Int(hit.ref.documentID.dropFirst())! % 8)
            index.remove(namespace: "n", slot: slot, documentID: hit.ref.documentID)
        }
        try index.upsert(namespace: "n", slot: 3, documentID: "d3", chunks: [Self.entry("d3", "evict evict evict", vector)], reader: Self.none)
        try index.upsert(namespace: "n", slot: 4, documentID: "plain", chunks: [(ShardFixtures.chunk("plain", 0, "token chunk"),
            IndexedChunkDetail(provenance: ChunkProvenance(documentID: "plain", byteStart: 0, byteEnd: 1, lineStart: 1, lineEnd: 1), tokenCount: 2))],
            reader: Self.none)
        for i in stride(from: 5, to: 160, by: 8) { index.remove(namespace: "n", slot: 5, documentID: "d\(i)") }
        index.remove(namespace: "n", slot: 5, documentID: "new5")
        index.dropNamespace("n", slot: 6)
        index.removeSlot(7)

        let live = try Self.answers(index.snapshot(namespace: "n", slots: slots).shards, text: text, vector: vector)
        #expect(live.lexical != before.lexical && live.vector != before.vector && live.statistics != before.statistics)
        #expect(try Self.answers(snapshot, text: text, vector: vector) == before)
    }
}
