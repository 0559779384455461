import StrataCore
import Testing

@testable import StrataSearch

@Suite("Bad input is refused, naming the field, and changes nothing")
struct BadInputTests {
    func vectorShard() throws -> SearchShard {
        var shard = try SearchShard(settings: SearchSettings(vectorDimension: 4, maximumTopK: 50))
        try shard.upsert(documentID: "a", chunks: [ShardFixtures.chunk("a", 0, "alpha", vector: [1, 2, 3, 4])])
        return shard
    }

    func expectError(_ code: StrataError.Code, mentioning field: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected an error naming \(field)")
        } catch let error as StrataError {
            #expect(error.code == code)
            #expect(error.message.contains(field), "\(error.message)")
        } catch {
            Issue.record("expected a StrataError, got \(error)")
        }
    }

    @Test func emptyQueries() throws {
        let shard = try vectorShard()
        for text in ["", "   ", "(){};"] {
            expectError(.invalidArgument, mentioning: "query.text") {
                _ = try shard.search(SearchRequest(mode: .lexical, text: text))
            }
        }
        expectError(.invalidArgument, mentioning: "query.text") { _ = try shard.search(SearchRequest(mode: .lexical)) }
        expectError(.invalidArgument, mentioning: "query.vector") { _ = try shard.search(SearchRequest(mode: .vector)) }
        expectError(.invalidArgument, mentioning: "query.vector") {
            _ = try shard.search(SearchRequest(mode: .hybrid, text: "alpha"))
        }
    }

    @Test func wrongDimensionNaNAndZeroVectors() throws {
        let shard = try vectorShard()
        expectError(.invalidArgument, mentioning: "query.vector") { _ = try shard.searchVector([1, 2, 3], k: 1) }
        expectError(.invalidArgument, mentioning: "query.vector[2]") {
            _ = try shard.searchVector([1, 2, .nan, 4], k: 1)
        }
        expectError(.invalidArgument, mentioning: "query.vector[0]") {
            _ = try shard.searchVector([.infinity, 2, 3, 4], k: 1)
        }
        expectError(.invalidArgument, mentioning: "query.vector") { _ = try shard.searchVector([0, 0, 0, 0], k: 1) }
        let lexicalOnly = try SearchShard()
        expectError(.invalidArgument, mentioning: "query.vector") { _ = try lexicalOnly.searchVector([1], k: 1) }
    }

    @Test func topKZeroOrTooLarge() throws {
        let shard = try vectorShard()
        expectError(.invalidArgument, mentioning: "topK") {
            _ = try shard.search(SearchRequest(mode: .lexical, text: "alpha", topK: 0))
        }
        expectError(.outOfRange, mentioning: "topK") {
            _ = try shard.search(SearchRequest(mode: .lexical, text: "alpha", topK: 51))
        }
        expectError(.outOfRange, mentioning: "topK") { _ = try shard.searchVector([1, 2, 3, 4], k: 1000) }
        #expect(try shard.search(SearchRequest(mode: .lexical, text: "alpha", topK: 50)).count == 1)
    }

    @Test func badChunksLeaveTheShardUnchanged() throws {
        var shard = try vectorShard()
        let good = ShardFixtures.chunk("a", 0, "beta", vector: [1, 1, 1, 1])
        let nan = ShardFixtures.chunk("a", 1, "gamma", vector: [1, .nan, 1, 1])
        expectError(.invalidArgument, mentioning: "chunks[1].vector[1]") {
            try shard.upsert(documentID: "a", chunks: [good, nan])
        }
        let short = ShardFixtures.chunk("a", 1, "gamma", vector: [1, 1])
        expectError(.invalidArgument, mentioning: "chunks[1].vector") {
            try shard.upsert(documentID: "a", chunks: [good, short])
        }
        expectError(.invalidArgument, mentioning: "chunks[0].ref.documentID") {
            try shard.upsert(documentID: "b", chunks: [good])
        }
        expectError(.invalidArgument, mentioning: "chunks[1].ref.ordinal") {
            try shard.upsert(documentID: "a", chunks: [good, good])
        }
        expectError(.invalidArgument, mentioning: "documentID") { try shard.upsert(documentID: "", chunks: []) }
        // The original chunk is still the one found.
        #expect(try shard.search(SearchRequest(mode: .lexical, text: "alpha")).map(\.ref.documentID) == ["a"])
        #expect(try shard.search(SearchRequest(mode: .lexical, text: "beta")).isEmpty)
        #expect(shard.chunkCount == 1)
    }

    @Test func badSettings() {
        expectError(.invalidArgument, mentioning: "bm25.k1") {
            _ = try SearchShard(settings: SearchSettings(bm25: BM25Parameters(k1: -1)))
        }
        expectError(.invalidArgument, mentioning: "bm25.b") {
            _ = try SearchShard(settings: SearchSettings(bm25: BM25Parameters(b: 1.5)))
        }
        expectError(.invalidArgument, mentioning: "vectorDimension") {
            _ = try SearchShard(settings: SearchSettings(vectorDimension: 0))
        }
        expectError(.invalidArgument, mentioning: "fusion.k") {
            _ = try SearchShard(settings: SearchSettings(fusion: FusionSettings(k: -1)))
        }
    }

    @Test func budgetZeroOrBeyondTheMaximum() throws {
        let assembler = try ContextAssembler(
            counter: WhitespaceTokenCounterTestDouble(), settings: ContextAssemblySettings(maximumBudget: 1000))
        let c = ContextAssemblerTests.candidate("a", "text", score: 1)
        expectError(.invalidArgument, mentioning: "budget") { _ = try assembler.assemble([c], budget: 0) }
        expectError(.invalidArgument, mentioning: "budget") { _ = try assembler.assemble([c], budget: -5) }
        expectError(.outOfRange, mentioning: "budget") { _ = try assembler.assemble([c], budget: 1001) }
        #expect(try assembler.assemble([c], budget: 1000).tokens == 3)
        var wrong = c
        wrong.provenance.byteEnd += 3
        expectError(.invalidArgument, mentioning: "candidates[0].text") {
            _ = try assembler.assemble([wrong], budget: 10)
        }
        var nanScore = c
        nanScore.score = .nan
        expectError(.invalidArgument, mentioning: "candidates[0].score") {
            _ = try assembler.assemble([nanScore], budget: 10)
        }
    }
}
