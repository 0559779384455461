import StrataCore
import Testing
@testable import StrataStore

/// Long runs through the warm tier's slab allocator: usage stays bounded, slots are reused and
/// every surviving entry still reads back intact.
@Suite("Warm tier slab churn")
struct WarmSlabChurnTests {
    typealias F = TierFixtures

    @Test("Many insert/evict cycles of mixed sizes keep usage bounded")
    func mixedSizeChurn() throws {
        let segment = F.uniqueSegmentName("churn")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let warm = F.settings(bytes: 128 << 10, tokens: 1_000_000)
        let tiers = try F.hierarchy(hot: F.disabled, warm: warm, cold: F.disabled, segment: segment)
        let pageCount = tiers.inspect { $0.warm.layout.pageCount }
        var rng = SeededGenerator(seed: 2024)
        var sizes: [Int: Int] = [:]
        var peakPages = 0
        for i in 0..<4000 {
            let textBytes = [20, 150, 700, 2500, 9000][Int.random(in: 0..<5, using: &rng)] + Int.random(in: 0..<40, using: &rng)
            tiers.admit(F.chunk(i, textBytes: textBytes, tokens: 1, dimension: 64))
            sizes[i] = textBytes
            if i % 7 == 0 { tiers.remove(F.key(Int.random(in: 0...i, using: &rng))) }
            let stats = F.stats(tiers, .warm)
            #expect(stats.bytesUsed <= warm.capacityBytes)
            peakPages = max(peakPages, tiers.inspect { $0.warm.pagesInUse })
        }
        #expect(peakPages <= pageCount)
        let warmStats = F.stats(tiers, .warm)
        #expect(warmStats.entries > 10)
        #expect(warmStats.evictions > 3000)
        // Every entry still held reads back with its own text.
        var checked = 0
        for i in 0..<4000 where F.tierHolding(F.key(i), in: tiers) == .warm {
            #expect(tiers.lookup(F.key(i))?.chunk.text == F.chunk(i, textBytes: sizes[i]!).text)
            checked += 1
        }
        #expect(checked == warmStats.entries)
        print("warm slab churn: 4000 inserts, peak pages \(peakPages) of \(pageCount), \(warmStats.entries) entries, \(warmStats.bytesUsed) of \(warm.capacityBytes) bytes")
    }

    @Test("A removed entry's slot is reused by the next entry of its size class")
    func freedSlotReused() throws {
        let segment = F.uniqueSegmentName("reuse")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try F.hierarchy(hot: F.disabled, warm: F.settings(bytes: 128 << 10), segment: segment)
        for i in 0..<20 { tiers.admit(F.chunk(i, textBytes: 300)) }
        let freed = tiers.inspect { $0.warm.slotAddress(of: F.key(7))! }
        tiers.remove(F.key(7))
        tiers.admit(F.chunk(100, textBytes: 290))
        #expect(tiers.inspect { $0.warm.slotAddress(of: F.key(100)) } == freed)
        #expect(tiers.inspect { $0.warm.pagesInUse } == 1)
    }
}
