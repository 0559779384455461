import StrataCore
import Testing

@testable import StrataSearch

@Suite("IVF index")
struct IVFIndexTests {
    static let dimension = 64

    /// The cosine fixture, built once for every test that reads it (training is the slow part).
    static let cosine = Result { () throws -> (vectors: [[Float]], index: IVFIndex) in try build(metric: .cosine) }

    static func fixture(metric: VectorMetric = .cosine) throws -> (vectors: [[Float]], index: IVFIndex) {
        metric == .cosine ? try cosine.get() : try build(metric: metric)
    }

    /// 3,000 seeded clustered vectors and an index of 24 lists trained on a 1,000-row sample.
    static func build(metric: VectorMetric, seed: UInt64 = 7) throws -> (vectors: [[Float]], index: IVFIndex) {
        var rng = SplitMix64(seed: seed)
        let vectors = rng.clusteredVectors(count: 3000, dimension: dimension, clusters: 30, spread: 0.5)
        let centroids = try IVFCentroids.train(sample: vectors.prefix(1000).flatMap { $0 }, dimension: dimension, lists: 24)
        var index = IVFIndex(centroids: centroids, metric: metric)
        for (i, v) in vectors.enumerated() { try index.upsert(id: UInt64(i), vector: v) }
        return (vectors, index)
    }

    static func queries(_ vectors: [[Float]], count: Int, seed: UInt64) -> [[Float]] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in vectors[Int.random(in: 0..<vectors.count, using: &rng)].map { $0 + 0.3 * rng.gaussian() } }
    }

    @Test(arguments: [VectorMetric.cosine, .dot])
    func recallAt10AgainstExactSearch(metric: VectorMetric) throws {
        let (vectors, index) = try Self.fixture(metric: metric)
        var found = 0
        for query in Self.queries(vectors, count: 40, seed: 11) {
            let truth = Set(VectorSearchTests.exactTopK(query, vectors, k: 10, metric: metric))
            let hits = try index.search(VectorQuery(query, dimension: Self.dimension, metric: metric), k: 10, probes: 4)
            found += hits.filter { truth.contains(Int($0.id)) }.count
        }
        #expect(Double(found) / 400 >= 0.95, "recall@10 \(Double(found) / 400) with 4 of 24 lists probed")
    }

    @Test func probingEveryListReturnsWhatTheExactScanReturns() throws {
        let (vectors, index) = try Self.fixture()
        var settings = SearchSettings(vectorDimension: Self.dimension, metric: .cosine)
        settings.maximumTopK = 1000
        var shard = try SearchShard(settings: settings)
        for (i, v) in vectors.enumerated() {
            try shard.upsert(documentID: "d\(i)", chunks: [ShardFixtures.chunk("d\(i)", 0, "c", vector: v)])
        }
        let candidates = max(10 * settings.rescoreFactor, settings.rescoreMinimum)
        for query in Self.queries(vectors, count: 10, seed: 12) {
            let exact = try shard.searchVector(query, k: 10).map { UInt64($0.ref.documentID.dropFirst())! }
            let ivf = try index.search(VectorQuery(query, dimension: Self.dimension, metric: .cosine), k: 10,
                                       probes: index.centroids.count, rescoreCandidates: candidates)
            #expect(ivf.map(\.id) == exact)
        }
    }

    @Test func removedAndReplacedVectorsAreNeverReturned() throws {
        let (vectors, fixture) = try Self.fixture()
        var index = fixture
        let query = vectors[5]
        let q = try VectorQuery(query, dimension: Self.dimension, metric: .cosine)
        let before = try index.search(q, k: 10, probes: 4).map(\.id)
        #expect(before.first == 5)
        for id in before { index.remove(id: id) }
        #expect(index.count == vectors.count - 10)
        let after = try index.search(q, k: 10, probes: 4).map(\.id)
        #expect(Set(after).isDisjoint(with: before))
        // An update moves the vector: found at its new place, gone from the old.
        let moved = vectors[2999]
        try index.upsert(id: 5, vector: moved)
        #expect(try index.search(q, k: 10, probes: 4).map(\.id).contains(5) == false)
        let atNew = try index.search(VectorQuery(moved, dimension: Self.dimension, metric: .cosine), k: 2, probes: 4).map(\.id)
        #expect(Set(atNew) == [5, 2999])
    }

    @Test func manyRemovalsCompactListsAndKeepLocationsRight() throws {
        var (_, index) = try Self.fixture()
        for id in stride(from: 0, to: 3000, by: 3) { index.remove(id: UInt64(id)) }
        #expect(index.lists.allSatisfy { $0.deadCount * 2 <= $0.ids.count || $0.deadCount <= 32 })
        for (id, location) in index.locations {
            #expect(index.lists[Int(location.list)].ids[Int(location.row)] == id)
        }
        // Removing again by id still finds the right row after compaction renumbered it.
        for id in stride(from: 1, to: 3000, by: 3) {
            let removed = index.remove(id: UInt64(id))
            #expect(removed)
        }
        #expect(index.count == 1000)
        #expect(index.lists.reduce(0) { $0 + $1.liveCount } == 1000)
    }

    @Test func filterIsHonouredInsideTheScan() throws {
        let (vectors, index) = try Self.fixture()
        for query in Self.queries(vectors, count: 10, seed: 13) {
            let hits = try index.search(VectorQuery(query, dimension: Self.dimension, metric: .cosine), k: 10, probes: 4) { $0 % 2 == 1 }
            #expect(hits.count == 10)
            #expect(hits.allSatisfy { $0.id % 2 == 1 })
        }
    }

    @Test func badInputIsRefusedAndChangesNothing() throws {
        var (_, index) = try Self.fixture()
        #expect(throws: StrataError.self) { try index.upsert(id: 1, vector: [Float](repeating: 0, count: 3)) }
        #expect(throws: StrataError.self) { try index.upsert(id: 1, vector: [Float](repeating: .nan, count: Self.dimension)) }
        #expect(index.count == 3000)
        #expect(throws: StrataError.self) {
            try index.search(VectorQuery([Float](repeating: 1, count: Self.dimension), dimension: Self.dimension, metric: .dot), k: 10, probes: 2)
        }
    }

    @Test func theSwitchIsBySizeAndSettingsAreValidated() throws {
        let settings = IVFSettings(minimumVectors: 20_000)
        #expect(!settings.usesIVF(vectorCount: 19_999))
        #expect(settings.usesIVF(vectorCount: 20_000))
        try IVFSettings.default.validate()
        #expect(throws: StrataError.self) { try IVFSettings(probes: 0).validate() }
        #expect(throws: StrataError.self) { try IVFSettings(listSize: 0).validate() }
        #expect(throws: StrataError.self) { try IVFSettings(probeScale: -1).validate() }
        #expect(throws: StrataError.self) { try IVFSettings(probeScale: .nan).validate() }
        #expect(throws: StrataError.self) { try IVFSettings(probeScale: .infinity).validate() }
    }

    /// Probes grow with the square root of the list count, never under `probes`, never over
    /// the lists there are.
    @Test func probesGrowWithTheSquareRootOfTheListCount() {
        let scaled = IVFSettings(probes: 32, probeScale: 6.5)
        #expect(scaled.probes(lists: 4) == 4)  // every list of a small index
        #expect(scaled.probes(lists: 24) == 24)  // 6.5 * sqrt(24) = 31.8 < 32, capped by the lists
        #expect(scaled.probes(lists: 40) == 40)  // max(32, 41.1) = 42, capped
        #expect(scaled.probes(lists: 98) == 65)  // 6.5 * 9.899 = 64.3, rounded up
        #expect(scaled.probes(lists: 246) == 102)  // 6.5 * 15.68 = 101.9
        #expect(scaled.probes(lists: 820) == 187)  // 6.5 * 28.64 = 186.1
        #expect(IVFSettings(probes: 300, probeScale: 6.5).probes(lists: 820) == 300)  // the floor binds
        let fixed = IVFSettings(probes: 32, probeScale: 0)
        #expect(fixed.probes(lists: 98) == 32)
        #expect(fixed.probes(lists: 10) == 10)
        #expect(IVFSettings(probes: 1, probeScale: 1_000).probes(lists: 7) == 7)
        #expect(IVFSettings(probes: 1, probeScale: 0).probes(lists: 0) == 1)
    }

    @Test func trainingIsDeterministicForASeed() throws {
        var rng = SplitMix64(seed: 3)
        let sample = rng.clusteredVectors(count: 300, dimension: 16, clusters: 5, spread: 0.4).flatMap { $0 }
        let a = try IVFCentroids.train(sample: sample, dimension: 16, lists: 8)
        let b = try IVFCentroids.train(sample: sample, dimension: 16, lists: 8)
        #expect(a.values == b.values)
        #expect(a.count == 8)
        #expect(IVFCentroids.listCount(vectors: 500_000, targetListSize: 512) == 977)
        #expect(IVFCentroids.listCount(vectors: 10, targetListSize: 512) == 1)
    }
}
