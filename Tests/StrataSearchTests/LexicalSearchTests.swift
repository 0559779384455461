import Foundation
import StrataCore
import Testing

@testable import StrataSearch

@Suite("BM25 lexical search")
struct LexicalSearchTests {
    @Test func identifierPartsFindCodeChunks() throws {
        let shard = try ShardFixtures.shard()
        let hits = try shard.search(SearchRequest(mode: .lexical, text: "http request parsing", topK: 3))
        #expect(hits.first?.ref.documentID == "src/http/request.swift")
        let snake = try shard.search(SearchRequest(mode: .lexical, text: "readFile", topK: 1))
        #expect(snake.first?.ref.documentID == "lib/util.py")
    }

    @Test func scoreMatchesTheBM25Formula() throws {
        let docs = [("a", "apple banana apple"), ("b", "banana cherry"), ("c", "cherry date elder fig")]
        let shard = try ShardFixtures.shard(docs)
        let hits = try shard.search(SearchRequest(mode: .lexical, text: "apple", topK: 10))
        #expect(hits.count == 1)
        // N = 3, df = 1, avgdl = 9/3 = 3, tf = 2, |d| = 3, k1 = 1.2, b = 0.75.
        let idf = log(1 + (3 - 1 + 0.5) / (1 + 0.5))
        let expected = idf * 2 * 2.2 / (2 + 1.2 * (1 - 0.75 + 0.75 * 3 / 3))
        #expect(abs(hits[0].score - expected) < 1e-5)
    }

    @Test func k1AndBChangeScores() throws {
        let docs = [("a", "apple apple apple apple pear"), ("b", "apple plum plum plum plum plum plum plum")]
        let flat = try ShardFixtures.shard(docs, settings: SearchSettings(bm25: BM25Parameters(k1: 0, b: 0)))
        let hits = try flat.search(SearchRequest(mode: .lexical, text: "apple", topK: 2))
        // With k1 = 0 term frequency and length no longer matter: both score exactly the IDF.
        #expect(hits.count == 2)
        #expect(abs(hits[0].score - hits[1].score) < 1e-6)
        let normal = try ShardFixtures.shard(docs)
        let ranked = try normal.search(SearchRequest(mode: .lexical, text: "apple", topK: 2))
        #expect(ranked[0].ref.documentID == "a")
        #expect(ranked[0].score > ranked[1].score)
    }

    @Test func termStatisticsWithoutDictionariesEqualStatisticsForQuery() throws {
        let all = ShardFixtures.corpus
        let left = try ShardFixtures.shard(Array(all.prefix(3)))
        let right = try ShardFixtures.shard(Array(all.dropFirst(3)))
        for text in ["http request header", "read file path", "worker slots replication", "struct func", "zzzunknown"] {
            let query = try LexicalQuery(text: text)
            let merged = LexicalStatistics.merged([left.statistics(for: query), right.statistics(for: query)])
            var frequencies = [UInt64](repeating: 0, count: query.terms.count)
            let l = left.addTermStatistics(query.terms, into: &frequencies)
            let r = right.addTermStatistics(query.terms, into: &frequencies)
            #expect(l.documents + r.documents == merged.documentCount)
            #expect(l.totalLength + r.totalLength == merged.totalLength)
            #expect(frequencies == query.terms.map { UInt64(merged.documentFrequencies[$0] ?? 0) })
        }
    }

    @Test func twoShardsWithMergedStatisticsScoreLikeOneShard() throws {
        let all = ShardFixtures.corpus
        let whole = try ShardFixtures.shard(all)
        let left = try ShardFixtures.shard(Array(all.prefix(3)))
        let right = try ShardFixtures.shard(Array(all.dropFirst(3)))
        for text in ["http request header", "read file path", "worker slots replication", "struct func"] {
            let query = try LexicalQuery(text: text)
            let merged = LexicalStatistics.merged([left.statistics(for: query), right.statistics(for: query)])
            #expect(merged == whole.statistics(for: query))
            let expected = try whole.searchLexical(query, k: 10)
            let split =
                (try left.searchLexical(query, statistics: merged, k: 10)
                + right.searchLexical(query, statistics: merged, k: 10))
                .sorted { $0.score > $1.score }
            #expect(split.map(\.ref) == expected.map(\.ref))
            for (a, b) in zip(split, expected) { #expect(abs(a.score - b.score) < 1e-6) }
            // Without merged statistics the shards' scores differ: the test can tell the two apart.
            let local = try left.searchLexical(query, k: 10)
            if let first = local.first, let same = expected.first(where: { $0.ref == first.ref }) {
                #expect(abs(first.score - same.score) > 1e-6)
            }
        }
    }

    @Test func upsertReplacesAndRemoveDeletesWithExactStatistics() throws {
        var shard = try ShardFixtures.shard()
        let query = try LexicalQuery(text: "socket")
        #expect(shard.statistics(for: query).documentFrequencies["socket"] == 1)
        try shard.upsert(documentID: "lib/net.py", chunks: [ShardFixtures.chunk("lib/net.py", 0, "def close(): pass")])
        #expect(shard.statistics(for: query).documentFrequencies["socket"] == nil)
        #expect(try shard.searchLexical(query, k: 5).isEmpty)
        let before = shard.statistics(for: try LexicalQuery(text: "strata"))
        #expect(shard.remove(documentID: "docs/intro.md") == 1)
        let after = shard.statistics(for: try LexicalQuery(text: "strata"))
        #expect(after.documentCount == before.documentCount - 1)
        #expect(after.documentFrequencies["strata"] == nil)
        #expect(shard.remove(documentID: "docs/intro.md") == 0)
        #expect(shard.chunkCount == ShardFixtures.corpus.count - 1)
    }

    @Test func compactionKeepsResultsAndStatistics() throws {
        var shard = try SearchShard()
        for i in 0..<3000 {
            try shard.upsert(
                documentID: "d\(i)", chunks: [ShardFixtures.chunk("d\(i)", 0, "common word\(i % 7) item\(i)")])
        }
        for i in stride(from: 0, to: 3000, by: 2) { shard.remove(documentID: "d\(i)") }
        // Passing 1024 dead slots (and a quarter of all) compacted automatically once.
        #expect(shard.slotCount < 3000)
        #expect(shard.chunkCount == 1500)
        let query = try LexicalQuery(text: "word3 item3")
        let expectedDF = (0..<3000).filter { $0 % 2 == 1 && $0 % 7 == 3 }.count
        let before = try shard.searchLexical(query, k: 5)
        #expect(before.first?.ref.documentID == "d3")
        #expect(shard.statistics(for: query).documentFrequencies["word3"] == expectedDF)
        shard.compact()
        #expect(shard.slotCount == 1500)
        #expect(try shard.searchLexical(query, k: 5) == before)
        #expect(shard.statistics(for: query).documentFrequencies["word3"] == expectedDF)
    }

    @Test func filtersByPathPrefixAndMetadata() throws {
        var shard = try SearchShard()
        try shard.upsert(
            documentID: "src/a.swift",
            chunks: [ShardFixtures.chunk("src/a.swift", 0, "cache eviction", metadata: ["lang": "swift"])])
        try shard.upsert(
            documentID: "src/b.py",
            chunks: [ShardFixtures.chunk("src/b.py", 0, "cache eviction policy", metadata: ["lang": "python"])])
        try shard.upsert(
            documentID: "docs/c.md",
            chunks: [ShardFixtures.chunk("docs/c.md", 0, "cache eviction cache", metadata: ["lang": "md"])])
        func ids(_ filter: SearchFilter) throws -> [String] {
            try shard.search(SearchRequest(mode: .lexical, text: "cache eviction", topK: 10, filter: filter)).map(
                \.ref.documentID)
        }
        #expect(try ids(.none).count == 3)
        #expect(try Set(ids(SearchFilter(documentPrefix: "src/"))) == ["src/a.swift", "src/b.py"])
        #expect(try ids(SearchFilter(metadataEquals: ["lang": "python"])) == ["src/b.py"])
        #expect(try ids(SearchFilter(documentPrefix: "docs/", metadataEquals: ["lang": "python"])) == [])
        #expect(try ids(SearchFilter(metadataEquals: ["missing": "x"])) == [])
    }
}
