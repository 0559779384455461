import StrataCore
import Testing
@testable import StrataStore

/// Eviction, promotion and demotion through `TierHierarchy`, capacity in bytes and in tokens.
@Suite("Tier eviction and promotion")
struct TierEvictionTests {
    typealias F = TierFixtures

    @Test("LRU: a hit refreshes the entry, so the least recently used one is evicted")
    func lruRefreshesOnHit() throws {
        let segment = F.uniqueSegmentName("lru")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try F.hierarchy(hot: F.settings(tokens: 30, eviction: .lru), segment: segment)
        for i in 0..<3 { tiers.admit(F.chunk(i)) }
        #expect(tiers.lookup(F.key(0))?.tier == .hot)
        tiers.admit(F.chunk(3))
        #expect(F.tierHolding(F.key(0), in: tiers) == .hot)
        #expect(F.tierHolding(F.key(1), in: tiers) == .warm)
        #expect(F.tierHolding(F.key(2), in: tiers) == .hot)
        #expect(F.tierHolding(F.key(3), in: tiers) == .hot)
    }

    @Test("FIFO: a hit does not refresh, so the first inserted entry is evicted")
    func fifoIgnoresHits() throws {
        let segment = F.uniqueSegmentName("fifo")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try F.hierarchy(hot: F.settings(tokens: 30, eviction: .fifo), segment: segment)
        for i in 0..<3 { tiers.admit(F.chunk(i)) }
        #expect(tiers.lookup(F.key(0))?.tier == .hot)
        tiers.admit(F.chunk(3))
        #expect(F.tierHolding(F.key(0), in: tiers) == .warm)
        #expect(F.tierHolding(F.key(1), in: tiers) == .hot)
    }

    @Test("The warm tier honours LRU and the cold tier FIFO when they evict")
    func lowerTierPolicies() throws {
        let segment = F.uniqueSegmentName("lower")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try F.hierarchy(
            hot: F.disabled, warm: F.settings(tokens: 20, eviction: .lru),
            cold: F.settings(tokens: 20, precision: .float16, eviction: .fifo), segment: segment)
        // Hot holds nothing, so hits below it cannot promote and stay where they are.
        tiers.admit(F.chunk(0))
        tiers.admit(F.chunk(1))
        #expect(tiers.lookup(F.key(0))?.tier == .warm)
        tiers.admit(F.chunk(2))  // warm evicts 1 (LRU), not 0
        #expect(F.tierHolding(F.key(0), in: tiers) == .warm)
        #expect(F.tierHolding(F.key(1), in: tiers) == .cold)
        tiers.admit(F.chunk(3))  // warm evicts 0 → cold holds 1, 0
        #expect(tiers.lookup(F.key(1))?.tier == .cold)
        tiers.admit(F.chunk(4))  // warm evicts 2 → cold evicts 1 (FIFO, despite the hit)
        #expect(F.tierHolding(F.key(1), in: tiers) == nil)
        #expect(F.tierHolding(F.key(0), in: tiers) == .cold)
        #expect(F.tierHolding(F.key(2), in: tiers) == .cold)
    }

    @Test("Capacity in bytes binds when tokens do not")
    func byteCapacity() throws {
        let segment = F.uniqueSegmentName("bytes")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try F.hierarchy(hot: F.settings(bytes: 2 * F.int8Bytes(), tokens: 1_000_000), segment: segment)
        tiers.admit(F.chunk(0))
        tiers.admit(F.chunk(1))
        var hot = F.stats(tiers, .hot)
        #expect(hot.entries == 2)
        #expect(hot.bytesUsed == 2 * F.int8Bytes())
        tiers.admit(F.chunk(2))
        hot = F.stats(tiers, .hot)
        #expect(hot.entries == 2)
        #expect(hot.evictions == 1)
        #expect(F.tierHolding(F.key(0), in: tiers) == .warm)
    }

    @Test("Capacity in tokens binds when bytes do not")
    func tokenCapacity() throws {
        let segment = F.uniqueSegmentName("tokens")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try F.hierarchy(hot: F.settings(bytes: 1 << 20, tokens: 25), segment: segment)
        tiers.admit(F.chunk(0, tokens: 10))
        tiers.admit(F.chunk(1, tokens: 10))
        #expect(F.stats(tiers, .hot).tokens == 20)
        tiers.admit(F.chunk(2, tokens: 10))
        let hot = F.stats(tiers, .hot)
        #expect(hot.entries == 2)
        #expect(hot.tokens == 20)
        #expect(F.tierHolding(F.key(0), in: tiers) == .warm)
        // One chunk larger than the whole hot tier skips it.
        tiers.admit(F.chunk(3, tokens: 26))
        #expect(F.tierHolding(F.key(3), in: tiers) == .warm)
        #expect(F.stats(tiers, .hot).entries == 2)
    }

    @Test("Evictions cascade hot → warm → cold → dropped, with counters on each tier")
    func demotionCascade() throws {
        let segment = F.uniqueSegmentName("cascade")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let one = F.settings(tokens: 10)
        let tiers = try F.hierarchy(
            hot: one, warm: one, cold: F.settings(tokens: 10, precision: .float16, eviction: .fifo), segment: segment)
        for i in 0..<4 { tiers.admit(F.chunk(i)) }
        #expect(F.tierHolding(F.key(3), in: tiers) == .hot)
        #expect(F.tierHolding(F.key(2), in: tiers) == .warm)
        #expect(F.tierHolding(F.key(1), in: tiers) == .cold)
        #expect(F.tierHolding(F.key(0), in: tiers) == nil)
        let (hot, warm, cold) = (F.stats(tiers, .hot), F.stats(tiers, .warm), F.stats(tiers, .cold))
        #expect(hot.evictions == 3 && warm.evictions == 2 && cold.evictions == 1)
        #expect(warm.demotions == 3 && cold.demotions == 2 && hot.demotions == 0)
        #expect(hot.entries == 1 && warm.entries == 1 && cold.entries == 1)
    }

    @Test("A hit below hot promotes the chunk to hot, re-encoded at hot's precision")
    func promotion() throws {
        let segment = F.uniqueSegmentName("promote")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let one = F.settings(tokens: 10)
        let tiers = try F.hierarchy(
            hot: one, warm: one, cold: F.settings(tokens: 100, precision: .float16, eviction: .fifo), segment: segment)
        let original = F.chunk(0, dimension: 64)
        tiers.admit(original)
        tiers.admit(F.chunk(1))
        tiers.admit(F.chunk(2))  // 0 is now in cold
        #expect(F.tierHolding(F.key(0), in: tiers) == .cold)

        let fromCold = try #require(tiers.lookup(F.key(0)))
        #expect(fromCold.tier == .cold)
        #expect(fromCold.chunk.text == original.text)
        #expect(fromCold.chunk.tokenCount == original.tokenCount)
        // Cold's reconstruction is FP16 of hot's INT8 reconstruction (0 went hot → warm → cold).
        let int8 = Int8Vector(quantizing: original.vector!).dequantized()
        #expect(fromCold.chunk.vector == Float16Codec.decode(Float16Codec.encode(int8)))

        let fromHot = try #require(tiers.lookup(F.key(0)))
        #expect(fromHot.tier == .hot)
        #expect(fromHot.chunk.vector == Int8Vector(quantizing: fromCold.chunk.vector!).dequantized())
        #expect(F.tierHolding(F.key(2), in: tiers) == .warm)  // hot's victim went down
        #expect(F.tierHolding(F.key(1), in: tiers) == .cold)

        let (hot, warm, cold) = (F.stats(tiers, .hot), F.stats(tiers, .warm), F.stats(tiers, .cold))
        #expect(hot.promotions == 1 && hot.hits == 1 && hot.misses == 1)
        #expect(warm.misses == 1 && warm.hits == 0)
        #expect(cold.hits == 1 && cold.misses == 0)
    }

    @Test("Demotion between tiers of one precision copies the encoded vector unchanged")
    func demotionKeepsEncoding() throws {
        let segment = F.uniqueSegmentName("samecodec")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try F.hierarchy(hot: F.settings(tokens: 10), warm: F.settings(tokens: 100), segment: segment)
        let original = F.chunk(0, dimension: 1024)
        tiers.admit(original)
        tiers.admit(F.chunk(1))
        let inWarm = try #require(tiers.inspect { $0.warm.lookup(F.key(0), refresh: false) })
        #expect(inWarm.vector == Int8Vector(quantizing: original.vector!).dequantized())
    }

    @Test("A miss everywhere counts a miss on every tier and returns nil")
    func missEverywhere() throws {
        let segment = F.uniqueSegmentName("miss")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try F.hierarchy(segment: segment)
        #expect(tiers.lookup(F.key(99)) == nil)
        #expect(tiers.stats().map(\.misses) == [1, 1, 1])
        #expect(tiers.stats().map(\.tier) == [.hot, .warm, .cold])
    }

    @Test("remove takes a key out of every tier; removeAll empties them")
    func removal() throws {
        let segment = F.uniqueSegmentName("remove")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let one = F.settings(tokens: 10)
        let tiers = try F.hierarchy(
            hot: one, warm: one, cold: F.settings(tokens: 100, precision: .float16, eviction: .fifo), segment: segment)
        for i in 0..<5 { tiers.admit(F.chunk(i)) }
        #expect([F.key(4), F.key(3), F.key(2)].map { F.tierHolding($0, in: tiers) } == [.hot, .warm, .cold])
        for i in 2..<5 { tiers.remove(F.key(i)) }
        for i in 2..<5 { #expect(F.tierHolding(F.key(i), in: tiers) == nil) }
        #expect(tiers.stats().map(\.entries) == [0, 0, 2])
        tiers.removeAll()
        #expect(tiers.stats().map(\.entries) == [0, 0, 0])
        #expect(tiers.stats().map(\.bytesUsed) == [0, 0, 0])
        #expect(tiers.lookup(F.key(0)) == nil)
    }

    @Test("Admitting a key again replaces it instead of duplicating it")
    func readmitReplaces() throws {
        let segment = F.uniqueSegmentName("replace")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try F.hierarchy(segment: segment)
        tiers.admit(F.chunk(0, tokens: 10))
        tiers.admit(CachedChunk(key: F.key(0), text: "other", tokenCount: 3, vector: nil))
        #expect(tiers.stats().map(\.entries) == [1, 0, 0])
        #expect(tiers.lookup(F.key(0))?.chunk == CachedChunk(key: F.key(0), text: "other", tokenCount: 3, vector: nil))
    }

    @Test("Text survives every tier byte for byte; chunks without vectors stay without")
    func textRoundTrip() throws {
        let segment = F.uniqueSegmentName("text")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let texts = ["", "ascii", "héllo wörld — ünïcode ✓ 日本語 🚀", String(repeating: "x", count: 5000)]
        for (level, tierName) in [TierName.hot, .warm, .cold].enumerated() {
            let name = "\(segment)-\(level)"
            defer { try? TierHierarchy.destroySharedMemory(name: name) }
            let tiers = try F.hierarchy(
                hot: level == 0 ? F.settings() : F.disabled, warm: level <= 1 ? F.settings() : F.disabled,
                cold: F.settings(precision: .float16, eviction: .fifo), segment: name)
            for (i, text) in texts.enumerated() {
                tiers.admit(CachedChunk(key: F.key(i), text: text, tokenCount: i, vector: i % 2 == 0 ? nil : [0.5, -0.25]))
            }
            for (i, text) in texts.enumerated() {
                let found = try #require(tiers.lookup(F.key(i)))
                #expect(found.tier == tierName)
                #expect(found.chunk.text == text)
                #expect(found.chunk.tokenCount == i)
                #expect((found.chunk.vector == nil) == (i % 2 == 0))
            }
        }
    }

    @Test("A vector with NaN or infinity is not cached")
    func nonFiniteNotCached() throws {
        let segment = F.uniqueSegmentName("nan")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try F.hierarchy(segment: segment)
        tiers.admit(CachedChunk(key: F.key(0), text: "a", tokenCount: 1, vector: [1, .nan]))
        tiers.admit(CachedChunk(key: F.key(1), text: "b", tokenCount: 1, vector: [.infinity]))
        tiers.admit(CachedChunk(key: F.key(2), text: "c", tokenCount: -1, vector: nil))
        #expect(tiers.stats().map(\.entries) == [0, 0, 0])
    }

    @Test("Stats report capacities, precision, policy and the hot backend")
    func statsShape() throws {
        let segment = F.uniqueSegmentName("stats")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try F.hierarchy(
            hot: F.settings(bytes: 1000, tokens: 50), warm: F.settings(bytes: 2000, tokens: 60, precision: .float16),
            cold: F.settings(bytes: 3000, tokens: 70, precision: .float16, eviction: .fifo), segment: segment)
        let stats = tiers.stats()
        #expect(stats.map(\.backend) == ["host", "shm", "ram"])
        #expect(stats.map(\.capacityBytes) == [1000, 2000, 3000])
        #expect(stats.map(\.capacityTokens) == [50, 60, 70])
        #expect(stats.map(\.precision) == [.int8, .float16, .float16])
        #expect(stats.map(\.eviction) == [.lru, .lru, .fifo])
    }

    @Test("Settings that cannot work are refused, naming the field")
    func invalidSettings() {
        let segment = F.uniqueSegmentName("invalid")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        #expect(throws: StrataError.invalidArgument("tiers.warm.eviction is none; a memory tier must evict by lru or fifo")) {
            try F.hierarchy(warm: F.settings(eviction: .none), segment: segment)
        }
        #expect(throws: StrataError.invalidArgument("tiers.cold.capacityBytes is -1, must be >= 0")) {
            try F.hierarchy(cold: F.settings(bytes: -1), segment: segment)
        }
        #expect(throws: StrataError.invalidArgument("tiers.hot.capacityTokens is -5, must be >= 0")) {
            try F.hierarchy(hot: F.settings(tokens: -5), segment: segment)
        }
        for bad in ["", "/", "a/b", "../x", "name with space"] {
            do {
                _ = try F.hierarchy(segment: bad)
                Issue.record("segment name \(bad) accepted")
            } catch {
                #expect(error.code == .invalidArgument && error.message.contains("warmSegmentName"))
            }
        }
    }
}
