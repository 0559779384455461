import StrataCore
import Testing
@testable import StrataSearch

/// The production query path in StrataSearch: two workers' `SlotSearchIndex`es, each searched
/// under the cluster-wide statistics, merged by `ShardResultMerging.merge`, rank exactly as one
/// index holding every slot does -- in every mode, with the worker's and the coordinator's
/// fusion being the same code.
@Suite struct SlotSearchMergeTests {
    @Test(arguments: [SearchMode.lexical, .vector, .hybrid])
    func twoWorkersMergeToWhatOneIndexHoldingEverythingReturns(mode: SearchMode) throws {
        var rng = SplitMix64(seed: 18)
        func index() -> SlotSearchIndex { SlotSearchIndex(settings: SearchSettings(), defaultTopK: 10, defaultLexicalWeight: 0.5) }
        let whole = index()
        let workers = [index(), index()]
        let none: SlotSearchIndex.SlotReader = { _, _, _ throws(StrataError) in }
        let words = ["cache", "evict", "tier", "slot", "worker", "replica", "budget", "token", "chunk", "query"]
        for i in 0..<120 {
            let text = (0..<6).map { _ in words[Int.random(in: 0..<words.count, using: &rng)] }.joined(separator: " ")
            let chunk = ShardFixtures.chunk("d\(i)", 0, text, vector: (0..<8).map { _ in rng.gaussian() })
            let detail = IndexedChunkDetail(provenance: ChunkProvenance(documentID: "d\(i)", byteStart: 0, byteEnd: 1, lineStart: 1, lineEnd: 1),
                                            tokenCount: 6)
            let slot = UInt32(i % 8)
            try whole.upsert(namespace: "n", slot: slot, documentID: "d\(i)", chunks: [(chunk, detail)], reader: none)
            try workers[Int(slot) % 2].upsert(namespace: "n", slot: slot, documentID: "d\(i)", chunks: [(chunk, detail)], reader: none)
        }
        let text = "cache tier budget"
        let vector = (0..<8).map { _ in rng.gaussian() }
        let terms = try LexicalQuery(text: text).terms
        func query(_ slots: [UInt32], _ statistics: TermCounts) -> SlotQuery {
            SlotQuery(namespace: "n", slots: slots, text: mode == .vector ? "" : text, vector: mode == .lexical ? [] : vector,
                      mode: mode, topK: 10, globalStatistics: statistics)
        }
        let all = (0..<8).map(UInt32.init)
        let expected = ShardResultMerging.merge(try whole.search(query(all, TermCounts())).map(\.hit), mode: mode, topK: 10, fusion: .default)
        // Phase 1: every worker's counts, summed; phase 2 under them; then the coordinator's merge.
        let shares = [all.filter { $0 % 2 == 0 }, all.filter { $0 % 2 == 1 }]
        var global = TermCounts(documentFrequencies: [UInt64](repeating: 0, count: terms.count))
        for (worker, slots) in zip(workers, shares) {
            global.add(worker.statistics(namespace: "n", slots: slots, terms: terms))
        }
        let candidates = try zip(workers, shares).flatMap { worker, slots in try worker.search(query(slots, mode == .vector ? TermCounts() : global)) }
        let merged = ShardResultMerging.merge(candidates.map(\.hit), mode: mode, topK: 10, fusion: .default)
        #expect(merged.count == 10)
        #expect(merged.map(\.ref) == expected.map(\.ref))
    }

    /// A worker's lexical list over many slots (one shared heap) is exactly one shard's over
    /// the same chunks: the same chunks, the same scores to the bit, ties (documents with the
    /// same text) cut by chunk reference, with and without a filter, slots holding none of the
    /// terms included.
    @Test func aWorkersLexicalListOverManySlotsIsOneShardsList() throws {
        var rng = SplitMix64(seed: 1919)
        let index = SlotSearchIndex(settings: SearchSettings(), defaultTopK: 10, defaultLexicalWeight: 0.5)
        var whole = try SearchShard()
        let none: SlotSearchIndex.SlotReader = { _, _, _ throws(StrataError) in }
        let words = ["cache", "evict", "tier", "slot", "worker", "replica", "budget", "token", "chunk", "query"]
        for i in 0..<300 {
            // Every fifth document repeats an earlier one's text: equal scores, cut by reference.
            var text = (0..<Int.random(in: 3...12, using: &rng)).map { _ in words[Int.random(in: 0..<words.count, using: &rng)] }
                .joined(separator: " ")
            if i % 5 == 4 { text = "cache tier \(i / 50) budget" }
            // Slots 20..<32 hold only text without the query's terms.
            let slot = UInt32(i % 32)
            if slot >= 20 { text = "unrelated words only" }
            let id = (i % 3 == 0 ? "src/" : "docs/") + "d\(i)"
            let chunk = ShardFixtures.chunk(id, 0, text)
            let detail = IndexedChunkDetail(provenance: ChunkProvenance(documentID: id, byteStart: 0, byteEnd: 1, lineStart: 1, lineEnd: 1),
                                            tokenCount: 6)
            try index.upsert(namespace: "n", slot: slot, documentID: id, chunks: [(chunk, detail)], reader: none)
            try whole.upsert(documentID: id, chunks: [chunk])
        }
        let all = (0..<32).map(UInt32.init)
        for (text, prefix, k) in [("cache tier budget", "", 10), ("cache tier budget", "src/", 25), ("evict", "", 300), ("replica token", "docs/", 7)] {
            let query = try LexicalQuery(text: text)
            let expected = try whole.searchLexical(query, k: k, filter: SearchFilter(documentPrefix: prefix.isEmpty ? nil : prefix))
            let found = try index.search(SlotQuery(namespace: "n", slots: all, text: text, mode: .lexical, topK: UInt32(k), documentPrefix: prefix))
            #expect(found.map(\.ref) == expected.map(\.ref))
            #expect(found.map(\.score) == expected.map(\.score))
            #expect(found.map(\.lexicalRank) == (0..<found.count).map { UInt32($0 + 1) })
        }
    }
}
