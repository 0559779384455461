import StrataCore
import Testing

@testable import StrataSearch

@Suite("Context assembly")
struct ContextAssemblerTests {
    let counter = WhitespaceTokenCounterTestDouble()

    /// A candidate whose provenance matches its text: `byteStart` given, lines from newlines.
    static func candidate(_ doc: String, _ text: String, at byteStart: Int = 0, line: Int = 1, score: Double)
        -> ContextCandidate
    {
        let lines = text.utf8.filter { $0 == 0x0A }.count
        return ContextCandidate(
            provenance: ChunkProvenance(
                documentID: doc, byteStart: byteStart, byteEnd: byteStart + text.utf8.count, lineStart: line,
                lineEnd: line + max(lines - (text.hasSuffix("\n") ? 1 : 0), 0)),
            text: text, score: score)
    }

    func assembler() throws -> ContextAssembler { try ContextAssembler(counter: counter) }

    @Test func headerAndTextAreCountedAndProvenanceReturned() throws {
        let c = Self.candidate("a.swift", "one two three\n", line: 10, score: 1)
        let result = try assembler().assemble([c], budget: 100)
        #expect(result.text == "### a.swift:L10-L10\none two three")
        // "###", "a.swift:L10-L10" and three words.
        #expect(result.tokens == 5)
        #expect(result.passages.count == 1)
        let p = result.passages[0]
        #expect((p.documentID, p.lineStart, p.lineEnd, p.tokens, p.score) == ("a.swift", 10, 10, 5, 1))
    }

    @Test func exactlyFullBudgetTakesEverythingAndOneTokenLessDropsTheWorst() throws {
        let a = Self.candidate("a.md", "alpha beta", score: 3)  // 2 header + 2 words
        let b = Self.candidate("b.md", "gamma delta epsilon", score: 2)  // 2 + 3
        let c = Self.candidate("c.md", "zeta", score: 1)  // 2 + 1
        let full = try assembler().assemble([a, b, c], budget: 12)
        #expect(full.tokens == 12)
        #expect(full.passages.map(\.documentID) == ["a.md", "b.md", "c.md"])
        let oneOver = try assembler().assemble([a, b, c], budget: 11)
        #expect(oneOver.tokens == 9)
        #expect(oneOver.passages.map(\.documentID) == ["a.md", "b.md"])
        #expect(oneOver.overBudgetSkipped == 1)
        // A smaller later candidate still fills what is left.
        let skipMiddle = try assembler().assemble([a, b, c], budget: 8)
        #expect(skipMiddle.passages.map(\.documentID) == ["a.md", "c.md"])
        #expect(skipMiddle.tokens == 7)
    }

    @Test func neverExceedsTheBudgetWhenCountsAreNotAdditive() throws {
        // Separators cost tokens with this counter, so the final recount is what binds.
        let heavy = try ContextAssembler(counter: NewlineHeavyTokenCounterTestDouble())
        let candidates = (0..<20).map { Self.candidate("d\($0).md", "w1 w2\nw3", score: Double(20 - $0)) }
        for budget in [1, 5, 6, 7, 13, 14, 20, 27, 100] {
            let result = try heavy.assemble(candidates, budget: budget)
            #expect(result.tokens <= budget)
            #expect(result.tokens == NewlineHeavyTokenCounterTestDouble().countTokens(result.text))
        }
    }

    @Test func exactDuplicatesAreSkipped() throws {
        let a = Self.candidate("a.md", "same text here", score: 2)
        let copy = Self.candidate("b.md", "same text here", score: 1)
        let result = try assembler().assemble([a, copy], budget: 100)
        #expect(result.passages.map(\.documentID) == ["a.md"])
        #expect(result.duplicatesSkipped == 1)
    }

    @Test func adjacentAndOverlappingChunksMergeIntoOnePassage() throws {
        let text = "l1 a\nl2 b\nl3 c\nl4 d\n"
        let bytes = Array(text.utf8)
        func piece(_ from: Int, _ to: Int, line: Int, score: Double) -> ContextCandidate {
            Self.candidate(
                "doc.py", String(decoding: bytes[from..<to], as: UTF8.self), at: from, line: line, score: score)
        }
        // Lines 1-2, lines 3-4 (adjacent), and lines 2-3 (overlapping both).
        let first = piece(0, 10, line: 1, score: 3)
        let second = piece(10, 20, line: 3, score: 1)
        let middle = piece(5, 15, line: 2, score: 2)
        let result = try assembler().assemble([second, first, middle], budget: 100)
        #expect(result.passages.count == 1)
        let p = result.passages[0]
        #expect(p.text == text)
        #expect((p.byteStart, p.byteEnd, p.lineStart, p.lineEnd, p.chunkCount, p.score) == (0, 20, 1, 4, 3, 3))
        #expect(result.text == "### doc.py:L1-L4\nl1 a\nl2 b\nl3 c\nl4 d")
        // A chunk wholly inside a passage adds nothing and counts as a duplicate.
        let inside = piece(10, 15, line: 3, score: 0.5)
        let again = try assembler().assemble([first, second, inside, middle], budget: 100)
        #expect(again.passages.count == 1)
        #expect(again.duplicatesSkipped == 1)
    }

    @Test func mergesAreRecountedWhenPieceCountsDoNotAdd() throws {
        let counter = JoinPenaltyTokenCounterTestDouble()
        let assembler = try ContextAssembler(counter: counter)
        let first = Self.candidate("doc.py", "l1 a\nl2 b\n", at: 0, line: 1, score: 2)
        let second = Self.candidate("doc.py", "l3 c\nl4 d\n", at: 10, line: 3, score: 1)
        // "### doc.py:L1-L4\nl1 a\nl2 b\nl3 c\nl4 d": 10 words and 4 newline-l joins.
        let full = try assembler.assemble([first, second], budget: 14)
        #expect(full.tokens == 14)
        #expect(full.passages.map(\.chunkCount) == [2])
        #expect(full.passages[0].tokens == 14)
        // The pieces' counts sum to 12 + header, but the merged text costs 14: it must not fit in 13.
        let short = try assembler.assemble([first, second], budget: 13)
        #expect(short.tokens == 8)
        #expect(short.text == "### doc.py:L1-L2\nl1 a\nl2 b")
        #expect(short.overBudgetSkipped == 1)
    }

    @Test func orderingByPositionOrByScore() throws {
        let b2 = Self.candidate("b.md", "late", at: 100, line: 9, score: 5)
        let b1 = Self.candidate("b.md", "early", at: 0, line: 1, score: 1)
        let a = Self.candidate("a.md", "first file", score: 3)
        let byPosition = try assembler().assemble([b2, b1, a], budget: 100, order: .documentPosition)
        #expect(byPosition.passages.map(\.text) == ["first file", "early", "late"])
        let byScore = try assembler().assemble([b2, b1, a], budget: 100, order: .score)
        #expect(byScore.passages.map(\.text) == ["late", "first file", "early"])
    }

    @Test func largeBudgetsAreAccepted() throws {
        let candidates = (0..<2000).map {
            Self.candidate("doc\($0)", String(repeating: "word ", count: 500), score: Double($0))
        }
        let result = try assembler().assemble(candidates, budget: 1_000_000)
        #expect(result.tokens <= 1_000_000)
        // Same text in every candidate: one survives, the rest are duplicates.
        #expect(result.passages.count == 1)
        let distinct = (0..<2000).map {
            Self.candidate("doc\($0)", "w\($0) " + String(repeating: "x ", count: 498), score: Double($0))
        }
        let big = try assembler().assemble(distinct, budget: 1_000_000)
        #expect(big.passages.count == 1996)
        #expect(big.tokens == 1996 * 501)
    }
}
