import StrataCore
import StrataStore
import StrataWire
import Testing
@testable import StrataNode

@Suite struct QueryMergeTests {
    private func candidate(_ document: String, lexical: Double = 0, lexicalRank: UInt32 = 0, vector: Double = 0, vectorRank: UInt32 = 0) -> Candidate {
        let chunk = ChunkMessage(namespace: "n", contentHash: ContentHash.of(document),
                                 provenance: ChunkProvenance(documentID: document, byteStart: 0, byteEnd: 1, lineStart: 1, lineEnd: 1),
                                 ordinal: 0, text: document, tokenCount: 1)
        return Candidate(chunk: chunk, score: max(lexical, vector), lexicalScore: lexical, vectorScore: vector,
                         lexicalRank: lexicalRank, vectorRank: vectorRank)
    }

    @Test func lexicalAndVectorMergeByTheirScoresAcrossWorkers() {
        let fromWorkers = [candidate("a", lexical: 1.0, lexicalRank: 2), candidate("b", lexical: 3.0, lexicalRank: 1),
                           candidate("c", lexical: 2.0, lexicalRank: 1)]
        #expect(CoordinatorQuery.merge(fromWorkers, mode: .lexical, topK: 2, lexicalWeight: 0.5).map(\.chunk.text) == ["b", "c"])
        let vectors = [candidate("a", vector: 0.2, vectorRank: 1), candidate("b", vector: 0.9, vectorRank: 1)]
        #expect(CoordinatorQuery.merge(vectors, mode: .vector, topK: 5, lexicalWeight: 0.5).map(\.chunk.text) == ["b", "a"])
    }

    @Test func hybridRewardsAgreementBetweenThePaths() {
        let fromWorkers = [
            candidate("both", lexical: 2.0, lexicalRank: 2, vector: 0.8, vectorRank: 2),
            candidate("lexical-only", lexical: 3.0, lexicalRank: 1),
            candidate("vector-only", vector: 0.9, vectorRank: 1),
        ]
        let merged = CoordinatorQuery.merge(fromWorkers, mode: .hybrid, topK: 3, lexicalWeight: 0.5)
        #expect(merged.first?.chunk.text == "both")
        #expect(merged.count == 3)
    }

    @Test func longPassagesSplitOnCharacterBoundaries() {
        let text = String(repeating: "é", count: CoordinatorQuery.fragmentBytes)  // 2 bytes each
        let pieces = CoordinatorQuery.split(text)
        #expect(pieces.count == 2)
        #expect(pieces.joined() == text)
        #expect(pieces.allSatisfy { $0.utf8.count <= CoordinatorQuery.fragmentBytes })
        #expect(CoordinatorQuery.split("short") == ["short"])
    }
}
