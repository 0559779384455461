import StrataCore
import StrataSearch
import Testing

@Suite struct ShardListMergeTests {
    /// The k-way merge gives exactly `ShardResultMerging.mergeByScore`'s order (ties included)
    /// and tags each hit with its list's shard.
    @Test(arguments: [1, 7, 25, 200])
    func mergesLikeMergeByScore(k: Int) {
        var random = SplitMix64(seed: UInt64(k))
        var lists: [(shard: Int, hits: [SearchHit])] = []
        for shard in 0..<9 {
            let count = Int(random.next() % 30)
            var hits: [SearchHit] = []
            for i in 0..<count {
                let document = "s\(shard)/d\(random.next() % 50)"
                let ref = ChunkRef(documentID: document, ordinal: Int32(i), contentHash: ContentHash(high: 0, low: UInt64(i)))
                // Few distinct scores, so many ties are cut by reference.
                hits.append(SearchHit(ref: ref, score: Double(random.next() % 5)))
            }
            hits.sort { a, b in a.score != b.score ? a.score > b.score : a.ref < b.ref }
            lists.append((shard * 10, hits))
        }
        let merged = ShardListMerge.merge(lists, k: k)
        let expected = ShardResultMerging.mergeByScore(lists.map(\.hits), k: k)
        #expect(merged.map(\.hit) == expected)
        for tagged in merged {
            #expect(tagged.hit.ref.documentID.hasPrefix("s\(tagged.shard / 10)/"))
        }
    }
}
