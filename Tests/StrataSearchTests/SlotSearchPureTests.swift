import StrataCore
import Testing
@testable import StrataSearch

/// The pure parts of a worker's multi-slot search: the metadata filter and the shallow first ask.
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

    /// A slot's shard is first asked for twice its even share of the depth (at least 8).
    @Test func theFirstAskIsAShareOfTheDepth() {
        #expect(SlotSearchIndex.initialShardDepth(depth: 100, shards: 85) == 8)
        #expect(SlotSearchIndex.initialShardDepth(depth: 100, shards: 4) == 50)
        #expect(SlotSearchIndex.initialShardDepth(depth: 100, shards: 1) == 100)
        #expect(SlotSearchIndex.initialShardDepth(depth: 5, shards: 85) == 5)
    }
}
