import Foundation
import StrataCore
import Testing
@testable import StrataStore

/// A text stored without a vector gets one from a later put of the same text (how the
/// server-side embedder's vectors and slot copies of embedded chunks land), and keeps it
/// through flushes, compaction and reopening from the WAL or the segments.
@Suite("Vector upgrade of stored bodies")
struct VectorUpgradeTests {
    static func storedVector(_ store: ChunkStore, _ text: String) throws -> [Float]? {
        try store.get(ChunkRef(namespace: "ns", hash: .of(text))).vector
    }

    @Test("a put with vectors gives vectorless bodies their vectors, across flush, compaction and reopen", arguments: [0, 1, 2])
    func upgradeSurvives(stage: Int) throws {
        let dir = StoreTestData.temporaryDirectory("upgrade")
        defer { ChunkStore.destroyWarmTier(directory: dir, settings: ChunkStoreTests.settings); StoreTestData.removeDirectory(dir) }
        do {
            let store = try ChunkStore.open(directory: dir, settings: ChunkStoreTests.settings)
            defer { store.close() }
            try store.apply(SlotWrite(slot: 1, sequence: 1, operations: [StoreTestData.put("ns", "a", ["alpha", "beta"])]))
            // Another document shares "alpha" (bodies are deduplicated by text).
            try store.apply(SlotWrite(slot: 2, sequence: 1, operations: [StoreTestData.put("ns", "b", ["alpha"])]))
            if stage >= 1 { try store.persistent.flush() }
            // Cached without a vector before the vector arrives: must not be served stale.
            #expect(try Self.storedVector(store, "alpha") == nil)
            try store.apply(SlotWrite(slot: 1, sequence: 2, operations: [
                StoreTestData.put("ns", "a", ["alpha", "beta"], vectors: [[0.6, 0.8], [1, 0]]),
            ]))
            #expect(try Self.storedVector(store, "alpha")?.count == 2)
            #expect(try Self.storedVector(store, "beta")?.count == 2)
            // A later vectorless put of the same text does not take the vector away.
            try store.apply(SlotWrite(slot: 3, sequence: 1, operations: [StoreTestData.put("ns", "c", ["beta"])]))
            #expect(try Self.storedVector(store, "beta")?.count == 2)
            if stage >= 1 { try store.persistent.flush() }
            if stage >= 2 { try store.persistent.compact() }
        }
        // Reopened: from the WAL (stage 0), segments (1) or the compacted segment (2).
        let reopened = try ChunkStore.open(directory: dir, settings: ChunkStoreTests.settings)
        defer { reopened.close() }
        let b = try reopened.persistent.storedDocument(namespace: "ns", documentID: "b")
        let alpha = try #require(b)
        let vector = try #require(alpha.chunks.first?.vector)
        #expect(abs(vector[0] - 0.6) < 1e-3 && abs(vector[1] - 0.8) < 1e-3)
        #expect(try Self.storedVector(reopened, "beta")?.count == 2)
        let a = try reopened.persistent.storedDocument(namespace: "ns", documentID: "a")
        let exported = try #require(a)
        #expect(exported.chunks.map { String(decoding: $0.utf8, as: UTF8.self) } == ["alpha", "beta"])
        #expect(exported.chunks.allSatisfy { $0.vector?.count == 2 })
    }
}
