import Testing
@testable import StrataSearch

@Suite struct AdaptiveFusionTests {
    let fusion = AdaptiveFusion(marginThreshold: 1.3, confidentLexicalWeight: 0.9, uncertainLexicalWeight: 0.3, k: 60)

    func list(_ entries: [(String, Double)]) -> [RankedCandidate] { entries.map { RankedCandidate(key: $0.0, score: $0.1) } }

    @Test func aLexicalTopThatStandsOutWinsOverTheVectors() {
        let lexical = list([("a", 12), ("b", 5), ("c", 4)])
        let vector = list([("c", 0.8), ("b", 0.79), ("a", 0.5)])
        #expect(fusion.lexicalWeight(lexical) == 0.9)
        #expect(fusion.fuse(lexical: lexical, vector: vector).first?.key == "a")
    }

    @Test func aFlatLexicalListDefersToTheVectors() {
        let lexical = list([("a", 5.0), ("b", 4.9), ("c", 4.8)])
        let vector = list([("c", 0.8), ("b", 0.6), ("a", 0.5)])
        #expect(fusion.lexicalWeight(lexical) == 0.3)
        #expect(fusion.fuse(lexical: lexical, vector: vector).first?.key == "c")
    }

    @Test func emptyListsAndTiesAreHandledDeterministically() {
        #expect(fusion.fuse(lexical: [], vector: list([("b", 0.5), ("a", 0.5)])).map(\.key) == ["b", "a"])
        #expect(fusion.lexicalWeight(list([("a", 3)])) == 0.9)
        #expect(fusion.lexicalWeight([]) == 0.3)
        // Same score: keys order the result, so every node cuts the list the same way.
        let even = AdaptiveFusion(marginThreshold: 1.3, confidentLexicalWeight: 0.5, uncertainLexicalWeight: 0.5, k: 60)
        let tied = even.fuse(lexical: list([("x", 1), ("y", 1)]), vector: list([("y", 0.5), ("x", 0.5)]))
        #expect(tied.map(\.key) == ["x", "y"])
    }
}
