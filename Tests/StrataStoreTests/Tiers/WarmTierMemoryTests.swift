import Foundation
import StrataCore
import Synchronization
import Testing
@testable import StrataStore

/// The warm tier's shared memory follows its data: a few KB while empty, a page reserved
/// before its first use, given back when its last entry leaves, and a full tmpfs met by a
/// failed reservation (the entry goes to the cold tier), never by a SIGBUS.
@Suite("Warm tier: memory follows data")
struct WarmTierMemoryTests {
    typealias F = TierFixtures
    typealias Use = SharedMemoryUse

    /// 64 MiB of warm tier: 1 MiB pages. Hot off, so admissions land in warm.
    static let warm = F.settings(bytes: 64 << 20, tokens: 10_000_000)

    static func warmOnly(segment: String, epoch: UInt64 = 5) throws(StrataError) -> TierHierarchy {
        try F.hierarchy(hot: F.disabled, warm: warm, cold: F.settings(bytes: 64 << 20, precision: .float16, eviction: .fifo),
                        segment: segment, epoch: epoch)
    }

    @Test("An empty warm tier of the default size (1 GiB) holds a few KB of shared memory, open and after close")
    func emptyTierHoldsAlmostNothing() throws {
        let segment = F.uniqueSegmentName("empty")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try F.hierarchy(warm: .warmDefault, segment: segment)
        #expect(Use.allocatedBytes(segment) <= 64 << 10)
        tiers.close()
        #expect(Use.allocatedBytes(segment) <= 64 << 10)
    }

    @Test("Pages are reserved as entries arrive and given back when they leave")
    func memoryFollowsData() throws {
        let segment = F.uniqueSegmentName("follows")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try Self.warmOnly(segment: segment)
        let empty = Use.allocatedBytes(segment)
        #expect(empty <= 64 << 10)
        let chunks = (0..<3000).map { F.chunk($0, textBytes: 900, dimension: 16) }
        for chunk in chunks { tiers.admit(chunk) }
        let full = Use.allocatedBytes(segment)
        // About 3 MB of entries: their pages and no more (1 MiB pages, a few size classes).
        #expect(full >= 2 << 20 && full <= 8 << 20)
        for chunk in chunks { tiers.remove(chunk.key) }
        #expect(Use.allocatedBytes(segment) == empty)
    }

    @Test("The tier's own account of its shared memory matches what /dev/shm counts")
    func reservedBytesMatchTheKernel() throws {
        let segment = F.uniqueSegmentName("account")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let tiers = try Self.warmOnly(segment: segment)
        var rng = SeededGenerator(seed: 13)
        var live: [Int] = []
        for i in 0..<4000 {
            tiers.admit(F.chunk(i, textBytes: Int.random(in: 10...4000, using: &rng), dimension: 32))
            live.append(i)
            if Int.random(in: 0..<3, using: &rng) == 0, let victim = live.indices.randomElement(using: &rng) {
                tiers.remove(F.key(live.remove(at: victim)))
            }
            if i % 500 == 0 {
                #expect(F.stats(tiers, .warm).reservedBytes == Use.allocatedBytes(segment))
            }
        }
        #expect(F.stats(tiers, .warm).reservedBytes == Use.allocatedBytes(segment))
    }

    @Test("A reattached tier keeps the pages of the entries it restores and gives back the rest")
    func restartKeepsOnlyPagesInUse() throws {
        let segment = F.uniqueSegmentName("reattach")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        var before = 0
        do {
            let tiers = try Self.warmOnly(segment: segment)
            for i in 0..<2000 { tiers.admit(F.chunk(i, textBytes: 700)) }
            for i in 0..<1000 { tiers.remove(F.key(i)) }
            before = F.stats(tiers, .warm).reservedBytes
            tiers.close()
        }
        #expect(Use.allocatedBytes(segment) == before)
        // Entries the persistent tier no longer holds are discarded at reattach: their pages go.
        let tiers = try F.hierarchy(
            hot: F.disabled, warm: Self.warm, cold: F.settings(precision: .float16, eviction: .fifo), segment: segment,
            epoch: 5, isValidKey: { $0.low >= 1500 })
        #expect(tiers.warmRecovery == WarmRecoveryReport(start: .reattached, restoredEntries: 500, discardedEntries: 500))
        #expect(F.stats(tiers, .warm).reservedBytes == Use.allocatedBytes(segment))
        #expect(Use.allocatedBytes(segment) < before)
        for i in 1500..<2000 { #expect(tiers.lookup(F.key(i))?.tier == .warm) }
    }

    @Test("A page that cannot be reserved (full tmpfs) sends the entry to the cold tier, is counted and reported")
    func failedReservationBypasses() throws {
        let segment = F.uniqueSegmentName("full")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        // The header and two pages, then the tmpfs is full.
        let double = FullTmpfsReserverTestDouble(allowed: 3)
        let reports = Mutex<[UInt64]>([])
        let tiers = try TierHierarchy(
            hot: F.disabled, warm: Self.warm, cold: F.settings(bytes: 64 << 20, precision: .float16, eviction: .fifo),
            hotBackend: HostMemoryBackend(), warmSegmentName: segment, epoch: 5, warmOwner: .unknown,
            warmReserver: double.reserver, warmReservationFailed: { failures, error in
                #expect(error.code == .resourceExhausted && error.message.contains("cannot reserve"))
                reports.withLock { $0.append(failures) }
            }, isValidKey: { _ in true })
        // 900-byte entries share a size class: two pages hold ~2 MB of them; the rest bypasses.
        for i in 0..<3000 { tiers.admit(F.chunk(i, textBytes: 900, dimension: 16)) }
        let warm = F.stats(tiers, .warm)
        #expect(warm.entries > 1000 && warm.entries < 3000)
        #expect(warm.reservationFailures == UInt64(3000 - warm.entries))
        #expect(F.stats(tiers, .cold).entries == 3000 - warm.entries)
        #expect(F.tierHolding(F.key(2999), in: tiers) == .cold)
        for i in [0, 1500, 2999] { #expect(tiers.lookup(F.key(i))?.chunk.text == F.chunk(i, textBytes: 900, dimension: 16).text) }
        // Logged on the 1st, 2nd, 4th, 8th ... failure only.
        let logged = reports.withLock { $0 }
        #expect(logged.first == 1 && logged.allSatisfy { $0 & ($0 - 1) == 0 } && logged.count < 16)
        // Nothing was written where no memory was reserved: the kernel counts just the header
        // and the two pages.
        #expect(Use.allocatedBytes(segment) == warm.reservedBytes)
        #expect(warm.reservedBytes == tiers.inspect { $0.warm.layout.pagesOffset + 2 * $0.warm.layout.pageSize })
    }
}
