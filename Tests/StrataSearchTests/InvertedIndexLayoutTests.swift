import StrataCore
import Testing
@testable import StrataSearch

/// The inverted index's flat layout (a frozen base of contiguous postings and a `TermTable`,
/// with appends after it in per-term lists) scores exactly like an index built by appends
/// alone, through a snapshot, further appends, removals and compaction.
@Suite struct InvertedIndexLayoutTests {
    private static let analyzer = CodeTermAnalyzer()

    /// A word of letters only (the analyzer keeps it as one term), Zipf-like by `rank`.
    private static func word(_ rank: Int) -> String {
        var n = rank + 1
        var letters = ""
        while n > 0 {
            letters.append(Character(UnicodeScalar(UInt8(97 + n % 26))))
            n /= 26
        }
        return "w" + letters
    }

    private static func documents(_ count: Int, vocabulary: Int, seed: UInt64) -> [[String]] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let text = (0..<Int.random(in: 1...40, using: &rng)).map { _ in
                // Squaring a uniform draw favours low ranks: a few common terms, a long tail.
                let u = Double.random(in: 0..<1, using: &rng)
                return word(Int(u * u * Double(vocabulary)))
            }.joined(separator: " ")
            return analyzer.terms(text)
        }
    }

    private static func scores(_ index: InvertedIndex, _ text: String) throws -> [Float]? {
        let query = try LexicalQuery(text: text)
        var frequencies: [String: Int] = [:]
        for term in query.terms { frequencies[term] = index.documentFrequency(of: term) }
        let statistics = LexicalStatistics(documentCount: index.liveCount, totalLength: index.liveTotalLength, documentFrequencies: frequencies)
        let prepared = PreparedLexicalQuery(query, statistics: statistics, parameters: BM25Parameters())
        var scores = [Float](repeating: -1, count: index.slotCount)
        let touched = scores.withUnsafeMutableBufferPointer { index.accumulate(prepared, into: $0) }
        return touched ? scores : nil
    }

    private static func expectSameAnswers(_ a: InvertedIndex, _ b: InvertedIndex, vocabulary: Int) throws {
        #expect(a.slotCount == b.slotCount && a.liveCount == b.liveCount && a.liveTotalLength == b.liveTotalLength)
        for rank in stride(from: 0, to: vocabulary + 20, by: 7) {
            #expect(a.documentFrequency(of: word(rank)) == b.documentFrequency(of: word(rank)))
            // Bit for bit: the same postings in the same order.
            #expect(try scores(a, "\(word(rank)) \(word(rank / 3)) \(word(rank + 1))") == scores(b, "\(word(rank)) \(word(rank / 3)) \(word(rank + 1))"))
        }
        #expect(try scores(a, "absentterm") == nil && scores(b, "absentterm") == nil)
    }

    private static func roundTrip(_ index: InvertedIndex) throws -> InvertedIndex {
        var writer = SnapshotWriter()
        index.encode(into: &writer)
        return try writer.bytes.withUnsafeBytes { raw throws(StrataError) -> InvertedIndex in
            var reader = SnapshotReader(raw, context: "test")
            let decoded = try InvertedIndex(decoding: &reader)
            try reader.require(reader.isAtEnd, "bytes left over")
            return decoded
        }
    }

    @Test func aFlatBaseWithAppendsRemovalsAndCompactionScoresLikeAppendsAlone() throws {
        let vocabulary = 3_000
        let docs = Self.documents(900, vocabulary: vocabulary, seed: 19)
        var reference = InvertedIndex()
        var layered = InvertedIndex()
        var removed = Set<Int>()
        func append(_ terms: [String]) {
            reference.append(terms: terms)
            layered.append(terms: terms)
        }
        func remove(_ slot: Int) {
            guard removed.insert(slot).inserted else { return }
            reference.remove(slot: Int32(slot))
            layered.remove(slot: Int32(slot))
        }
        for terms in docs[0..<500] { append(terms) }
        for slot in stride(from: 3, to: 500, by: 11) { remove(slot) }
        try Self.expectSameAnswers(reference, layered, vocabulary: vocabulary)
        // Read back from a snapshot: everything in the flat base, nothing appended.
        layered = try Self.roundTrip(layered)
        #expect(layered.isFlat && !layered.basePostings.isEmpty && layered.baseTerms.count == reference.termCount)
        try Self.expectSameAnswers(reference, layered, vocabulary: vocabulary)
        // Appends after the freeze (a new term among them), removals on both sides of it.
        for terms in docs[500...] {
            append(terms + ["fresh"])
            append(["fresh", terms.first ?? "fresh"])
            remove(reference.slotCount - 2)
        }
        for slot in stride(from: 1, to: reference.slotCount, by: 13) { remove(slot) }
        #expect(!layered.isFlat && layered.addedTerms.count > 0)
        try Self.expectSameAnswers(reference, layered, vocabulary: vocabulary)
        // A second snapshot merges base and appends; compaction of either layout agrees too.
        try Self.expectSameAnswers(reference, try Self.roundTrip(layered), vocabulary: vocabulary)
        let keep = (0..<reference.slotCount).map { !removed.contains($0) }
        let compacted = layered.compacted(keeping: keep)
        #expect(compacted.isFlat && compacted.slotCount == reference.slotCount - removed.count)
        try Self.expectSameAnswers(reference.compacted(keeping: keep), compacted, vocabulary: vocabulary)
        try Self.expectSameAnswers(compacted, try Self.roundTrip(compacted), vocabulary: vocabulary)
    }

    @Test func theTermTableFindsEveryTermItHoldsAndNoOther() {
        let terms = (0..<5_000).map { Self.word($0) } + ["", "é", "naïve", "日本語", String(repeating: "x", count: 300)]
        let table = TermTable(terms: terms)
        #expect(table.count == terms.count && table.isWellFormed)
        for (id, term) in terms.enumerated() {
            #expect(table.id(of: term) == Int32(id))
            #expect(table.term(id) == term)
        }
        for absent in ["w", "wzzzzzz", "e", "naive", String(repeating: "x", count: 299)] {
            #expect(table.id(of: absent) == nil)
        }
        // Bridged or sliced strings (no contiguous UTF-8 of their own) are found as well.
        #expect(table.id(of: String(Substring("+naïve+").dropFirst().dropLast())) == Int32(terms.firstIndex(of: "naïve")!))
        #expect(TermTable().id(of: "anything") == nil)
    }

    /// Terms added one at a time (the index's appends since its base) grow the table through
    /// several rehashes and are found like a table built at once, by string and by `TermKey`.
    @Test func aTermTableGrownByAppendsFindsEveryTerm() {
        let terms = (0..<5_000).map { Self.word($0) } + ["", "é", "日本語"]
        var grown = TermTable()
        for (id, term) in terms.enumerated() {
            #expect(grown.append(term) == Int32(id))
        }
        #expect(grown.count == terms.count && grown.isWellFormed)
        for (id, term) in terms.enumerated() {
            #expect(grown.id(of: term) == Int32(id))
            #expect(grown.id(of: TermKey(term)) == Int32(id))
        }
        for absent in ["w", "wzzzzzz", "e"] {
            #expect(grown.id(of: absent) == nil && grown.id(of: TermKey(absent)) == nil)
        }
    }

    @Test func aTermTableThatCouldBeReadOutOfBoundsIsRefused() {
        let table = TermTable(terms: ["alpha", "beta", "gamma"])
        #expect(!TermTable(bytes: table.bytes, offsets: table.offsets + [99], buckets: table.buckets).isWellFormed)
        #expect(!TermTable(bytes: table.bytes, offsets: [0, 9, 4, Int32(table.bytes.count)], buckets: table.buckets).isWellFormed)
        var buckets = table.buckets
        buckets[buckets.firstIndex(of: -1)!] = 3
        #expect(!TermTable(bytes: table.bytes, offsets: table.offsets, buckets: buckets).isWellFormed)
        #expect(!TermTable(bytes: table.bytes, offsets: table.offsets, buckets: Array(table.buckets.prefix(15))).isWellFormed)
        #expect(TermTable(bytes: table.bytes, offsets: table.offsets, buckets: table.buckets).isWellFormed)
    }
}
