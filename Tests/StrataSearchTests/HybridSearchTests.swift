import StrataCore
import Testing

@testable import StrataSearch

@Suite("Hybrid fusion")
struct HybridSearchTests {
    static func hit(_ id: String, _ score: Double) -> SearchHit { SearchHit(ref: ShardFixtures.ref(id), score: score) }

    @Test func weightedReciprocalRankFusionFormula() {
        let lexical = [Self.hit("a", 9), Self.hit("b", 5)]
        let vector = [Self.hit("b", 0.9), Self.hit("c", 0.8)]
        let settings = FusionSettings(lexicalWeight: 1, vectorWeight: 0.5, k: 10)
        let fused = ReciprocalRankFusion.fuse(lexical: lexical, vector: vector, settings: settings, k: 3)
        #expect(fused.map(\.ref.documentID) == ["b", "a", "c"])
        #expect(abs(fused[0].score - (1.0 / 12 + 0.5 / 11)) < 1e-12)
        #expect(abs(fused[1].score - 1.0 / 11) < 1e-12)
        #expect(abs(fused[2].score - 0.5 / 12) < 1e-12)
        #expect(fused[0].lexicalScore == 5 && fused[0].vectorScore == 0.9)
        #expect(fused[1].vectorScore == nil)
    }

    @Test func weightsDecideWhichPathLeads() {
        let lexical = [Self.hit("lex", 1)]
        let vector = [Self.hit("vec", 1)]
        let lexicalLed = ReciprocalRankFusion.fuse(lexical: lexical, vector: vector, settings: FusionSettings(lexicalWeight: 1, vectorWeight: 0.2), k: 2)
        #expect(lexicalLed.map(\.ref.documentID) == ["lex", "vec"])
        let vectorLed = ReciprocalRankFusion.fuse(
            lexical: lexical, vector: vector, settings: FusionSettings(lexicalWeight: 0.2, vectorWeight: 1), k: 2)
        #expect(vectorLed.map(\.ref.documentID) == ["vec", "lex"])
        let lexicalOnly = ReciprocalRankFusion.fuse(
            lexical: lexical, vector: vector, settings: FusionSettings(lexicalWeight: 1, vectorWeight: 0), k: 2)
        #expect(lexicalOnly.first?.ref.documentID == "lex")
    }

    @Test func defaultFusionFavoursAgreementAndTreatsBothPathsAlike() {
        #expect(FusionSettings.default == FusionSettings(lexicalWeight: 1, vectorWeight: 1, k: 5, depth: 100))
        // Second on both lists beats first on one list only: 2/7 > 1/6.
        let lexical = [Self.hit("lexOnly", 9), Self.hit("both", 8)]
        let vector = [Self.hit("vecOnly", 0.9), Self.hit("both", 0.8)]
        let fused = ReciprocalRankFusion.fuse(lexical: lexical, vector: vector, settings: .default, k: 3)
        #expect(fused.map(\.ref.documentID) == ["both", "lexOnly", "vecOnly"])
        #expect(abs(fused[0].score - 2.0 / 7) < 1e-12)
        // Equal weights: a first place on either list scores the same; ties go by chunk order.
        #expect(fused[1].score == fused[2].score)
    }

    @Test func hybridAcrossTwoShardsEqualsHybridOnOneShard() throws {
        var rng = SplitMix64(seed: 3)
        let settings = SearchSettings(
            vectorDimension: 8, fusion: FusionSettings(lexicalWeight: 1, vectorWeight: 0.7, k: 20, depth: 30))
        var whole = try SearchShard(settings: settings)
        var left = try SearchShard(settings: settings)
        var right = try SearchShard(settings: settings)
        let words = ["cache", "evict", "tier", "slot", "worker", "replica", "budget", "token", "chunk", "query"]
        for i in 0..<120 {
            let text = (0..<6).map { _ in words[Int.random(in: 0..<words.count, using: &rng)] }.joined(separator: " ")
            let chunk = ShardFixtures.chunk("d\(i)", 0, text, vector: (0..<8).map { _ in rng.gaussian() })
            try whole.upsert(documentID: "d\(i)", chunks: [chunk])
            if i % 2 == 0 {
                try left.upsert(documentID: "d\(i)", chunks: [chunk])
            } else {
                try right.upsert(documentID: "d\(i)", chunks: [chunk])
            }
        }
        let text = "cache tier budget"
        let vector = (0..<8).map { _ in rng.gaussian() }
        let expected = try whole.search(SearchRequest(mode: .hybrid, text: text, vector: vector, topK: 10))
        let query = try LexicalQuery(text: text)
        let stats = LexicalStatistics.merged([left.statistics(for: query), right.statistics(for: query)])
        let depth = settings.fusion.depth
        let lexical = ShardResultMerging.mergeByScore(
            [
                try left.searchLexical(query, statistics: stats, k: depth),
                try right.searchLexical(query, statistics: stats, k: depth),
            ], k: depth)
        let vectors = ShardResultMerging.mergeByScore(
            [try left.searchVector(vector, k: depth), try right.searchVector(vector, k: depth)], k: depth)
        let fused = ReciprocalRankFusion.fuse(lexical: lexical, vector: vectors, settings: settings.fusion, k: 10)
        #expect(fused.map(\.ref) == expected.map(\.ref))
    }

    @Test func shardHybridCombinesBothPaths() throws {
        var shard = try SearchShard(settings: SearchSettings(vectorDimension: 2))
        try shard.upsert(
            documentID: "both", chunks: [ShardFixtures.chunk("both", 0, "tiered cache eviction", vector: [1, 0])])
        try shard.upsert(
            documentID: "text",
            chunks: [ShardFixtures.chunk("text", 0, "tiered cache eviction eviction", vector: [0, 1])])
        try shard.upsert(
            documentID: "vec", chunks: [ShardFixtures.chunk("vec", 0, "unrelated words", vector: [0.99, 0.05])])
        let request = SearchRequest(
            mode: .hybrid, text: "cache eviction", vector: [1, 0], topK: 3,
            fusion: FusionSettings(lexicalWeight: 1, vectorWeight: 1))
        let hits = try shard.search(request)
        #expect(hits.first?.ref.documentID == "both")
        #expect(Set(hits.map(\.ref.documentID)) == ["both", "text", "vec"])
    }
}
