import StrataCore
import Testing
@testable import StrataSearch

/// The pure parts of a worker's multi-slot search: the metadata filter and the shared lexical heap.
@Suite struct SlotSearchPureTests {
    @Test func theFilterIsCheckedAndResolvedPurely() throws {
        let filter = try MetadataFilter([(key: "a", value: "1"), (key: "b", value: "2"), (key: "a", value: "1")])
        #expect(filter.required == ["a": "1", "b": "2"])
        #expect(!filter.matchesNothing)
        let document = try DocumentMetadata(validating: [(key: "b", value: "2"), (key: "a", value: "1"), (key: "c", value: "3")], field: "m")
        #expect(filter.admits(document))
        #expect(!filter.admits(.empty))
        #expect(try MetadataFilter([]).admits(.empty))
        let conflict = try MetadataFilter([(key: "a", value: "1"), (key: "a", value: "2")])
        #expect(conflict.matchesNothing)
        #expect(!conflict.admits(document))
        let tooMany = (0...DocumentMetadata.maximumPairs).map { (key: "k\($0)", value: "") }
        #expect(throws: StrataError.invalidArgument("filter.metadata_equals has 33 pairs; the maximum is 32")) { _ = try MetadataFilter(tooMany) }
        let long = [(key: "k", value: String(repeating: "v", count: DocumentMetadata.maximumValueBytes + 1))]
        #expect(throws: StrataError.invalidArgument("filter.metadata_equals[0].value is 1025 bytes; the maximum is 1024")) { _ = try MetadataFilter(long) }
    }

    /// The shared lexical heap keeps the best `capacity` by score, ties by chunk reference,
    /// whatever order the shards offer them in.
    @Test func theLexicalHeapKeepsTheBestInScoreThenReferenceOrder() {
        let offered: [(String, Float)] = [("e", 1), ("a", 3), ("d", 2), ("c", 2), ("b", 2), ("f", 5), ("g", 0.5)]
        var rng = SplitMix64(seed: 19)
        for _ in 0..<20 {
            var heap = LexicalCandidateHeap(capacity: 4)
            for (i, (id, score)) in offered.shuffled(using: &rng).enumerated() {
                if heap.mayEnter(score) { heap.offer(.init(ref: ShardFixtures.ref(id, 0), score: score, shard: i)) }
            }
            #expect(heap.best().map(\.ref.documentID) == ["f", "a", "b", "c"])
        }
    }
}
