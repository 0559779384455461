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
}
