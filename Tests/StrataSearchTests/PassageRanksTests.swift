import StrataCore
import Testing

@testable import StrataSearch

@Suite("PassageRanks")
struct PassageRanksTests {
    private static func provenance(_ document: String, _ start: Int, _ end: Int) -> ChunkProvenance {
        ChunkProvenance(documentID: document, byteStart: start, byteEnd: end, lineStart: 1, lineEnd: 1)
    }

    private static func passage(_ document: String, _ start: Int, _ end: Int) -> ContextPassage {
        ContextPassage(documentID: document, byteStart: start, byteEnd: end, lineStart: 1, lineEnd: 1, score: 0, chunkCount: 1,
                       text: "", rendered: "", tokens: 0)
    }

    @Test("a merged passage takes its best chunk's rank, not its first chunk's")
    func bestChunk() {
        // Ranked best first: a.md's second chunk, b.md, then a.md's first chunk.
        let ranks = PassageRanks(ranked: [Self.provenance("a.md", 100, 200), Self.provenance("b.md", 0, 50), Self.provenance("a.md", 0, 100)])
        #expect(ranks.rank(of: Self.passage("a.md", 0, 200)) == 1)
        #expect(ranks.rank(of: Self.passage("a.md", 0, 100)) == 3)
        #expect(ranks.rank(of: Self.passage("b.md", 0, 50)) == 2)
        #expect(ranks.rank(of: Self.passage("c.md", 0, 50)) == 0)
    }
}
