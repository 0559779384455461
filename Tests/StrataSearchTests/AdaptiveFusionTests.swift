import Testing
@testable import StrataSearch

@Suite struct AdaptiveFusionTests {
    let fusion = AdaptiveFusion(coverageThreshold: 0.35, pinnedHits: 1, uncertainLexicalWeight: 0.3, k: 5)

    func list(_ entries: [(String, Double)]) -> [RankedCandidate] { entries.map { RankedCandidate(key: $0.0, score: $0.1) } }

    @Test func aLexicalTopNearTheQuerysBoundGoesFirst() {
        let lexical = list([("a", 12), ("b", 11), ("c", 4)])
        let vector = list([("c", 0.8), ("b", 0.79), ("a", 0.5)])
        // 12 of a bound of 20: BM25 is sure; without the pin the vectors would rank c first.
        #expect(fusion.pinsLexicalTop(lexical, bound: 20))
        #expect(fusion.fuse(lexical: lexical, vector: vector, lexicalBound: 20).map(\.key) == ["a", "c", "b"])
        #expect(fusion.fuse(lexical: lexical, vector: vector, lexicalBound: 100).first?.key == "c")
        var two = fusion
        two.pinnedHits = 2
        #expect(two.fuse(lexical: lexical, vector: vector, lexicalBound: 20).map(\.key) == ["a", "b", "c"])
    }

    @Test func aWeakLexicalTopDefersToTheVectors() {
        let lexical = list([("a", 5.0), ("b", 4.9), ("c", 4.8)])
        let vector = list([("c", 0.8), ("b", 0.6), ("a", 0.5)])
        #expect(!fusion.pinsLexicalTop(lexical, bound: 40))
        #expect(fusion.fuse(lexical: lexical, vector: vector, lexicalBound: 40).first?.key == "c")
    }

    @Test func emptyListsAndTiesAreHandledDeterministically() {
        #expect(fusion.fuse(lexical: [], vector: list([("b", 0.5), ("a", 0.5)])).map(\.key) == ["b", "a"])
        #expect(!fusion.pinsLexicalTop([], bound: 10))
        #expect(!fusion.pinsLexicalTop(list([("a", 3)]), bound: 0))
        // Same score: keys order the result, so every node cuts the list the same way.
        let even = AdaptiveFusion(coverageThreshold: 0.35, pinnedHits: 1, uncertainLexicalWeight: 0.5, k: 5)
        let tied = even.fuse(lexical: list([("x", 1), ("y", 1)]), vector: list([("y", 0.5), ("x", 0.5)]))
        #expect(tied.map(\.key) == ["x", "y"])
    }

    @Test func theBoundSumsIDFTimesSaturationPerQueryTerm() throws {
        let query = try LexicalQuery(text: "parse parse json")
        let statistics = LexicalStatistics(documentCount: 100, totalLength: 1000, documentFrequencies: ["parse": 10, "json": 1])
        let bm25 = BM25Parameters.default
        let expected = 2 * BM25Parameters.idf(documentFrequency: 10, documentCount: 100) * 2.2
            + BM25Parameters.idf(documentFrequency: 1, documentCount: 100) * 2.2
        #expect(abs(bm25.scoreBound(query, statistics: statistics) - expected) < 1e-9)
    }
}
