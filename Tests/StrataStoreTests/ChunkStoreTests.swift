import Foundation
import StrataCore
import Testing
@testable import StrataStore

@Suite("ChunkStore facade: tiers over the persistent tier")
struct ChunkStoreTests {
    static let settings = StoreSettings(tiers: .init(
        hot: TierSettings(capacityBytes: 1 << 20, capacityTokens: 100_000, precision: .int8, eviction: .lru),
        warm: TierSettings(capacityBytes: 4 << 20, capacityTokens: 400_000, precision: .float16, eviction: .lru),
        cold: TierSettings(capacityBytes: 4 << 20, capacityTokens: 400_000, precision: .float16, eviction: .fifo)))

    @Test("a miss reads from disk and admits; the next read is a hot hit; deletes leave every tier")
    func readPathAndDelete() throws {
        let dir = StoreTestData.temporaryDirectory("facade")
        defer { ChunkStore.destroyWarmTier(directory: dir, settings: Self.settings); StoreTestData.removeDirectory(dir) }
        let store = try ChunkStore.open(directory: dir, settings: Self.settings)
        defer { store.close() }
        try store.apply(SlotWrite(slot: 2, sequence: 1, operations: [
            StoreTestData.put("ns", "a", ["alpha text", "beta text"], vectors: [[0.6, 0.8], [1, 0]]),
        ]))
        let ref = ChunkRef(namespace: "ns", hash: .of("alpha text"))
        let first = try store.get(ref)
        #expect(first.tier == .persistent)
        #expect(first.text == "alpha text")
        let second = try store.get(ref)
        #expect(second.tier == .hot)
        #expect(second.text == "alpha text")
        let v = try #require(second.vector)
        #expect(abs(v[0] - 0.6) < 0.01 && abs(v[1] - 0.8) < 0.01)

        try store.deleteDocument(namespace: "ns", documentID: "a", slot: 2, sequence: 2)
        #expect(store.tiers.lookup(ref.cacheKey) == nil)
        let error = #expect(throws: StrataError.self) { _ = try store.get(ref) }
        #expect(error?.code == .notFound)

        let stats = store.stats()
        #expect(stats.map(\.tier) == [.hot, .warm, .cold, .persistent])
        #expect(stats[3].entries == 0)
        #expect(stats[3].bytesUsed > 0)
    }

    @Test("dropping a namespace and overwriting a document evict the old chunks from the tiers")
    func dropAndOverwrite() throws {
        let dir = StoreTestData.temporaryDirectory("facade-drop")
        defer { ChunkStore.destroyWarmTier(directory: dir, settings: Self.settings); StoreTestData.removeDirectory(dir) }
        let store = try ChunkStore.open(directory: dir, settings: Self.settings)
        defer { store.close() }
        try store.apply(SlotWrite(slot: 0, sequence: 1, operations: [StoreTestData.put("ns", "a", ["v1"]), StoreTestData.put("ns", "b", ["keep"])]))
        let v1 = ChunkRef(namespace: "ns", hash: .of("v1"))
        _ = try store.get(v1)
        try store.apply(SlotWrite(slot: 0, sequence: 2, operations: [StoreTestData.put("ns", "a", ["v2"])]))
        #expect(store.tiers.lookup(v1.cacheKey) == nil)
        let keep = ChunkRef(namespace: "ns", hash: .of("keep"))
        _ = try store.get(keep)
        try store.dropNamespace("ns", slot: 0, sequence: 3)
        #expect(store.tiers.lookup(keep.cacheKey) == nil)
        #expect(throws: StrataError.self) { _ = try store.get(keep) }
    }

    @Test("after a restart the warm tier serves what it held, validated against the persistent tier")
    func warmRestart() throws {
        let dir = StoreTestData.temporaryDirectory("facade-warm")
        defer { ChunkStore.destroyWarmTier(directory: dir, settings: Self.settings); StoreTestData.removeDirectory(dir) }
        var store = try ChunkStore.open(directory: dir, settings: Self.settings)
        try store.apply(SlotWrite(slot: 0, sequence: 1, operations: [
            StoreTestData.put("ns", "a", ["kept chunk"]), StoreTestData.put("ns", "b", ["stale chunk"]),
        ]))
        let kept = ChunkRef(namespace: "ns", hash: .of("kept chunk"))
        let stale = ChunkRef(namespace: "ns", hash: .of("stale chunk"))
        _ = try store.get(kept)
        _ = try store.get(stale)
        store.close()
        // While the worker is down, the persistent tier changes behind the warm tier's back.
        let offline = try PersistentTier.open(directory: dir)
        try offline.apply(SlotWrite(slot: 0, sequence: 2, operations: [.deleteDocument(namespace: "ns", documentID: "b")]))
        offline.close()

        store = try ChunkStore.open(directory: dir, settings: Self.settings)
        #expect(try store.get(kept).tier == .warm)
        #expect(store.tiers.lookup(stale.cacheKey) == nil)
        #expect(throws: StrataError.self) { _ = try store.get(stale) }
        store.close()
    }

    @Test("a chunk deleted behind the tiers' back is never served from a cache")
    func staleCacheNeverServed() throws {
        let dir = StoreTestData.temporaryDirectory("facade-stale")
        defer { ChunkStore.destroyWarmTier(directory: dir, settings: Self.settings); StoreTestData.removeDirectory(dir) }
        let store = try ChunkStore.open(directory: dir, settings: Self.settings)
        defer { store.close() }
        try store.apply(SlotWrite(slot: 0, sequence: 1, operations: [StoreTestData.put("ns", "a", ["cached"])]))
        let ref = ChunkRef(namespace: "ns", hash: .of("cached"))
        #expect(try store.get(ref).tier == .persistent)
        // Delete through the persistent tier only, as a racing delete would look to this read.
        try store.persistent.apply(SlotWrite(slot: 0, sequence: 2, operations: [.deleteDocument(namespace: "ns", documentID: "a")]))
        #expect(store.tiers.lookup(ref.cacheKey) != nil)
        let error = #expect(throws: StrataError.self) { _ = try store.get(ref) }
        #expect(error?.code == .notFound)
        #expect(store.tiers.lookup(ref.cacheKey) == nil)
    }
}
