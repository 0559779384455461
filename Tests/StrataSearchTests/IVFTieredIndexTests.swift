import Foundation
import StrataCore
import Testing

@testable import StrataSearch

@Suite("IVF lists as tiers")
struct IVFTieredIndexTests {
    /// A temporary directory removed when `body` returns or throws.
    static func withDirectory<R>(_ body: (String) throws -> R) throws -> R {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("strata-ivf-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    static func tiered(_ index: IVFIndex, vectors: [[Float]], directory: String, cacheBytes: Int) throws -> IVFTieredIndex {
        let source = vectors
        return try IVFTieredIndex(writing: index, directory: directory, cacheBytes: cacheBytes) { id in
            Int(id) < source.count ? source[Int(id)] : nil
        }
    }

    @Test func tieredSearchMatchesInMemorySearchWithASmallBudget() throws {
        let (vectors, index) = try IVFIndexTests.fixture()
        let listBytes = index.lists.map(\.byteCount).max()!
        try Self.withDirectory { dir in
            let tiered = try Self.tiered(index, vectors: vectors, directory: dir, cacheBytes: 5 * listBytes)
            for query in IVFIndexTests.queries(vectors, count: 20, seed: 21) {
                let q = try VectorQuery(query, dimension: IVFIndexTests.dimension, metric: .cosine)
                #expect(try tiered.search(q, k: 10, probes: 4) == index.search(q, k: 10, probes: 4))
            }
            let c = tiered.counters
            #expect(c.hits + c.misses == 80)
            #expect(c.misses > 0 && c.evictions > 0)
            #expect(c.residentBytes <= 5 * listBytes)
        }
    }

    @Test func repeatedQueriesHitMemoryAndEvictionIsLeastRecentlyUsed() throws {
        var list = IVFList(dimension: 8, metric: .cosine)
        _ = list.append(id: 1, vector: [Float](repeating: 1, count: 8))
        let bytes = list.byteCount
        var cache = IVFPartitionCache(budgetBytes: 3 * bytes)
        for n in 0..<3 { cache.insert(n, list) }
        let promoted = cache.lookup(0)  // promotes 0: 1 is now the least recent
        #expect(promoted != nil)
        cache.insert(3, list)
        #expect(cache.contains(0) && !cache.contains(1) && cache.contains(2) && cache.contains(3))
        let evicted = cache.lookup(1)
        #expect(evicted == nil)
        #expect((cache.hits, cache.misses, cache.evictions) == (1, 1, 1))
        #expect(cache.residentBytes == 3 * bytes)
        var tiny = IVFPartitionCache(budgetBytes: bytes - 1)
        tiny.insert(0, list)
        #expect(tiny.residentLists == 0)
    }

    @Test func corruptOrMissingListFilesAreRebuiltFromTheSource() throws {
        let (vectors, index) = try IVFIndexTests.fixture()
        try Self.withDirectory { dir in
            let tiered = try Self.tiered(index, vectors: vectors, directory: dir, cacheBytes: 0)
            let q = try VectorQuery(vectors[42], dimension: IVFIndexTests.dimension, metric: .cosine)
            let expected = try index.search(q, k: 10, probes: 3)
            var scratch = VectorSearchScratch()
            let probed = index.centroids.nearest(q.prepared.exact, probes: 3, scratch: &scratch)
            // Flip a byte in one probed list, truncate another, delete the third.
            let paths = probed.map { dir + "/" + IVFList.fileName(list: $0) }
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: paths[0])))
            bytes[bytes.count / 2] ^= 0x40
            try Data(bytes).write(to: URL(fileURLWithPath: paths[0]))
            let other = try Data(contentsOf: URL(fileURLWithPath: paths[1]))
            try other.prefix(other.count - 7).write(to: URL(fileURLWithPath: paths[1]))
            try FileManager.default.removeItem(atPath: paths[2])
            #expect(try tiered.search(q, k: 10, probes: 3) == expected)
            #expect(tiered.counters.rebuiltLists == 3)
            // Rebuilt lists were written back whole: the next reads verify and rebuild nothing.
            #expect(try tiered.search(q, k: 10, probes: 3) == expected)
            #expect(tiered.counters.rebuiltLists == 3)
        }
    }

    @Test func upsertsAndRemovesReachTheFilesAndSurviveEviction() throws {
        let (vectors, index) = try IVFIndexTests.fixture()
        var reference = index
        try Self.withDirectory { dir in
            let tiered = try Self.tiered(index, vectors: vectors, directory: dir, cacheBytes: 0)  // every read from disk
            let removed = (0..<200).map { UInt64($0 * 7) }
            try tiered.remove(removed)
            for id in removed { reference.remove(id: id) }
            let moved = (0..<50).map { (id: UInt64(1 + $0 * 7), vector: vectors[2000 + $0]) }  // none of them removed
            try tiered.upsert(moved)
            for entry in moved { try reference.upsert(id: entry.id, vector: entry.vector) }
            try tiered.upsert([(id: 2, vector: vectors[10]), (id: 2, vector: vectors[11])])  // the last one counts
            try reference.upsert(id: 2, vector: vectors[11])
            let atFirst = try VectorQuery(vectors[10], dimension: IVFIndexTests.dimension, metric: .cosine)
            #expect(try tiered.search(atFirst, k: 10, probes: 4) == reference.search(atFirst, k: 10, probes: 4))
            #expect(tiered.count == reference.count)
            for query in IVFIndexTests.queries(vectors, count: 20, seed: 22) {
                let q = try VectorQuery(query, dimension: IVFIndexTests.dimension, metric: .cosine)
                let hits = try tiered.search(q, k: 10, probes: 4)
                #expect(Set(hits.map(\.id)).isDisjoint(with: removed))
                #expect(hits == (try reference.search(q, k: 10, probes: 4)))
            }
            #expect(tiered.counters.rebuiltLists == 0)
            #expect(throws: StrataError.self) { try tiered.upsert([(id: 1, vector: [1, 2])]) }
            #expect(tiered.count == reference.count)
        }
    }

    /// A write-back's disk writes happen outside the index's lock: while one waits on a stalled
    /// fsync, queries and further writes go on (a worker's ingest handlers call `upsert`; when
    /// they waited, its cooperative pool stalled and it missed its heartbeats). `flush` then
    /// writes the latest generation, which a fresh index reads back.
    @Test func aStalledWriteBackBlocksNeitherQueriesNorWrites() throws {
        let (vectors, index) = try IVFIndexTests.fixture()
        var reference = index
        try Self.withDirectory { dir in
            _ = try Self.tiered(index, vectors: vectors, directory: dir, cacheBytes: 1 << 30)
            let disk = GatedFileSystemTestDouble(giveUpAfter: 30)
            let source = vectors
            let generations = [UInt64](repeating: 1, count: index.centroids.count)
            let tiered = IVFTieredIndex(centroids: index.centroids, metric: index.metric, directory: dir, generations: generations,
                                        locations: index.locations, cacheBytes: 1 << 30, writeBackBytes: 1, fs: disk) { id in
                Int(id) < source.count ? source[Int(id)] : nil
            }
            disk.close()
            try tiered.upsert([(id: 3, vector: vectors[2100])])  // past writeBackBytes: a write-back is queued
            try reference.upsert(id: 3, vector: vectors[2100])
            #expect(disk.awaitWaitingWriters(1), "the queued write-back never reached the disk")
            let query = try VectorQuery(vectors[2100], dimension: IVFIndexTests.dimension, metric: .cosine)
            #expect(try tiered.search(query, k: 10, probes: 4) == reference.search(query, k: 10, probes: 4))
            try tiered.upsert([(id: 5, vector: vectors[2101])])
            try reference.upsert(id: 5, vector: vectors[2101])
            try tiered.remove([7])
            reference.remove(id: 7)
            #expect(disk.waitingWriters == 1 && !disk.timedOut, "a query or a write waited for the stalled write-back")
            disk.open()
            try tiered.flush()
            #expect(!disk.timedOut)
            let reread = IVFTieredIndex(centroids: index.centroids, metric: index.metric, directory: dir,
                                        generations: (0..<index.centroids.count).map { n in tiered.state.withLock { $0.generations[n] } },
                                        locations: tiered.state.withLock { $0.locations }, cacheBytes: 0, fs: PosixFileSystem()) { _ in nil }
            for probe in IVFIndexTests.queries(vectors, count: 10, seed: 5) + [vectors[2100], vectors[2101]] {
                let q = try VectorQuery(probe, dimension: IVFIndexTests.dimension, metric: .cosine)
                #expect(try reread.search(q, k: 10, probes: 4) == reference.search(q, k: 10, probes: 4))
            }
            #expect(reread.counters.rebuiltLists == 0)
        }
    }

    /// A namespace's index replays the changes journaled during its build outside its phase
    /// lock: while the replay waits on a stalled disk, a new change is journaled at once instead
    /// of waiting (the worker's ingest handlers make these calls; when they waited for a whole
    /// replay its heartbeats stalled and the coordinator declared it dead). Both changes are in
    /// the index once it is ready.
    @Test func aReplayAfterABuildDoesNotHoldUpNewChanges() throws {
        let (vectors, index) = try IVFIndexTests.fixture()
        try Self.withDirectory { dir in
            _ = try Self.tiered(index, vectors: vectors, directory: dir, cacheBytes: 1 << 30)
            let disk = GatedFileSystemTestDouble(giveUpAfter: 30)
            let built = IVFTieredIndex(centroids: index.centroids, metric: index.metric, directory: dir,
                                       generations: [UInt64](repeating: 1, count: index.centroids.count),
                                       locations: [:], cacheBytes: 1 << 30, writeBackBytes: 0, fs: disk) { _ in nil }
            let namespace = NamespaceVectorIndex(namespace: "n", settings: IVFSettings(), directory: dir, fs: disk)
            func upsert(_ document: String, _ row: Int) -> NamespaceVectorIndex.Operation {
                .upsert(slot: 1, documentID: document,
                        chunks: [(ref: ChunkRef(documentID: document, ordinal: 0, contentHash: ContentHash(high: UInt64(row), low: 1)), vector: vectors[row])])
            }
            namespace.apply(upsert("journaled", 2100))
            disk.close()
            let installed = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                namespace.install(built, placement: NamespaceVectorIndex.Placement())  // its write waits at the gate
                installed.signal()
            }
            #expect(disk.awaitWaitingWriters(1), "the replay never reached the disk")
            namespace.apply(upsert("arrived during the replay", 2101))
            #expect(disk.waitingWriters == 1 && !disk.timedOut, "a change waited for the replay")
            disk.open()
            installed.wait()
            #expect(!disk.timedOut)
            #expect(namespace.ready?.count == 2)
        }
    }
}
