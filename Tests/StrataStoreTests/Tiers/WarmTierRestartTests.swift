#if canImport(Glibc)
import Glibc
#endif
import StrataCore
import Testing
@testable import StrataStore

/// The warm tier across a restart: reattach and reuse what validates, discard the rest.
@Suite("Warm tier restart")
struct WarmTierRestartTests {
    typealias F = TierFixtures

    /// Hot disabled so admissions land in warm; a roomy cold tier.
    static func warmOnly(
        segment: String, epoch: UInt64 = 7, warm: TierSettings = F.settings(bytes: 256 << 10, tokens: 10_000),
        isValidKey: (ContentHash) -> Bool = { _ in true }
    ) throws(StrataError) -> TierHierarchy {
        try F.hierarchy(
            hot: F.disabled, warm: warm, cold: F.settings(precision: .float16, eviction: .fifo), segment: segment,
            epoch: epoch, isValidKey: isValidKey)
    }

    @Test("Entries survive close and reopen byte for byte, and the LRU order is rebuilt")
    func survivesRestart() throws {
        let segment = F.uniqueSegmentName("restart")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let chunks = (0..<40).map { F.chunk($0, textBytes: 50 + 37 * $0, tokens: 5, dimension: 32) }
        var before: [ContentHash: CachedChunk] = [:]
        do {
            let tiers = try Self.warmOnly(segment: segment)
            #expect(tiers.warmRecovery.start == .created)
            for chunk in chunks { tiers.admit(chunk) }
            for chunk in chunks { before[chunk.key] = tiers.lookup(chunk.key)!.chunk }
            tiers.close()
            #expect(tiers.lookup(F.key(0)) == nil)
        }
        let warm = F.settings(bytes: 256 << 10, tokens: 40 * 5)
        let tiers = try Self.warmOnly(segment: segment, warm: warm)
        #expect(tiers.warmRecovery == WarmRecoveryReport(start: .reattached, restoredEntries: 40, discardedEntries: 0))
        #expect(F.stats(tiers, .warm).entries == 40)
        #expect(F.stats(tiers, .warm).tokens == 200)
        for chunk in chunks {
            let found = try #require(tiers.lookup(chunk.key))
            #expect(found.tier == .warm)
            #expect(found.chunk == before[chunk.key])
            #expect(found.chunk.vector == Int8Vector(quantizing: chunk.vector!).dequantized())
        }
        // The lookups just now refreshed everything in `chunks` order, so 0 is the oldest.
        tiers.admit(F.chunk(100, tokens: 5))
        #expect(F.tierHolding(F.key(0), in: tiers) == .cold)
        #expect(F.tierHolding(F.key(1), in: tiers) == .warm)
    }

    @Test("The LRU order written before the restart decides the first evictions after it")
    func orderFromStamps() throws {
        let segment = F.uniqueSegmentName("order")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        do {
            let tiers = try Self.warmOnly(segment: segment)
            for i in 0..<5 { tiers.admit(F.chunk(i)) }
            _ = tiers.lookup(F.key(0))
            _ = tiers.lookup(F.key(1))
            tiers.close()  // recency now, oldest first: 2, 3, 4, 0, 1
        }
        let tiers = try Self.warmOnly(segment: segment, warm: F.settings(bytes: 256 << 10, tokens: 50))
        for i in 10..<13 { tiers.admit(F.chunk(i)) }
        #expect([2, 3, 4].map { F.tierHolding(F.key($0), in: tiers) } == [.cold, .cold, .cold])
        #expect([0, 1].map { F.tierHolding(F.key($0), in: tiers) } == [.warm, .warm])
    }

    @Test("Closing moves the hot tier's chunks into the warm tier for the next start")
    func closeKeepsHotChunks() throws {
        let segment = F.uniqueSegmentName("drain")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        do {
            let tiers = try F.hierarchy(segment: segment, epoch: 3)
            for i in 0..<6 { tiers.admit(F.chunk(i)) }
            #expect(F.stats(tiers, .hot).entries == 6)
            tiers.close()
        }
        let tiers = try F.hierarchy(segment: segment, epoch: 3)
        #expect(tiers.warmRecovery.restoredEntries == 6)
        for i in 0..<6 { #expect(tiers.lookup(F.key(i))?.tier == .warm) }
    }

    @Test("A changed epoch discards every entry")
    func epochChangeDiscards() throws {
        let segment = F.uniqueSegmentName("epoch")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        do {
            let tiers = try Self.warmOnly(segment: segment, epoch: 7)
            for i in 0..<10 { tiers.admit(F.chunk(i)) }
            tiers.close()
        }
        let tiers = try Self.warmOnly(segment: segment, epoch: 8)
        #expect(tiers.warmRecovery.start == .discarded(reason: "epoch 7, expected 8"))
        #expect(F.stats(tiers, .warm).entries == 0)
        for i in 0..<10 { #expect(tiers.lookup(F.key(i)) == nil) }
        // The region is usable again right away.
        tiers.admit(F.chunk(0))
        #expect(tiers.lookup(F.key(0))?.tier == .warm)
    }

    @Test("A corrupted byte in one entry discards that entry only")
    func corruptedEntryDiscarded() throws {
        let segment = F.uniqueSegmentName("corrupt")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let victim = F.key(3)
        var victimOffset = 0
        do {
            let tiers = try Self.warmOnly(segment: segment)
            for i in 0..<10 { tiers.admit(F.chunk(i)) }
            victimOffset = tiers.inspect { $0.warm.layout.slotOffset($0.warm.slotAddress(of: victim)!.offset) }
            tiers.close()
        }
        // Flip one bit in the text of entry 3, as a stray write or a bad DIMM would.
        let layout = WarmRegionLayout(settings: F.settings(bytes: 256 << 10, tokens: 10_000))
        do {
            let region = try SharedMemoryRegion(name: "/" + segment, size: layout.totalSize)
            region.base!.storeBytes(
                of: region.base!.load(fromByteOffset: victimOffset + 60, as: UInt8.self) ^ 0x04,
                toByteOffset: victimOffset + 60, as: UInt8.self)
            region.close()
        }
        let tiers = try Self.warmOnly(segment: segment)
        #expect(tiers.warmRecovery == WarmRecoveryReport(start: .reattached, restoredEntries: 9, discardedEntries: 1))
        #expect(tiers.lookup(victim) == nil)
        for i in 0..<10 where i != 3 { #expect(tiers.lookup(F.key(i))?.chunk.text == F.chunk(i).text) }
    }

    @Test("A damaged header discards everything; a damaged length cannot make validation read past the slot")
    func damagedHeaderAndLengths() throws {
        let segment = F.uniqueSegmentName("header")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let layout = WarmRegionLayout(settings: F.settings(bytes: 256 << 10, tokens: 10_000))
        var offset = 0
        do {
            let tiers = try Self.warmOnly(segment: segment)
            for i in 0..<4 { tiers.admit(F.chunk(i)) }
            offset = tiers.inspect { $0.warm.layout.slotOffset($0.warm.slotAddress(of: F.key(1))!.offset) }
            tiers.close()
        }
        do {
            let region = try SharedMemoryRegion(name: "/" + segment, size: layout.totalSize)
            region.base!.storeBytes(of: UInt32.max, toByteOffset: offset + WarmRegionLayout.Slot.textLength, as: UInt32.self)
            region.close()
        }
        do {
            let tiers = try Self.warmOnly(segment: segment)
            #expect(tiers.warmRecovery == WarmRecoveryReport(start: .reattached, restoredEntries: 3, discardedEntries: 1))
            tiers.close()
        }
        do {
            let region = try SharedMemoryRegion(name: "/" + segment, size: layout.totalSize)
            region.base!.storeBytes(of: UInt64(0x40_0000), toByteOffset: WarmRegionLayout.Header.pageSize, as: UInt64.self)
            region.close()
        }
        let tiers = try Self.warmOnly(segment: segment)
        #expect(tiers.warmRecovery.start == .discarded(reason: "header checksum mismatch"))
        #expect(F.stats(tiers, .warm).entries == 0)
    }

    @Test("Entries whose key the persistent tier no longer holds are discarded")
    func unknownKeysDiscarded() throws {
        let segment = F.uniqueSegmentName("keys")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        do {
            let tiers = try Self.warmOnly(segment: segment)
            for i in 0..<10 { tiers.admit(F.chunk(i)) }
            tiers.close()
        }
        let kept = Set((0..<10).filter { $0 % 3 != 0 }.map(F.key))
        let tiers = try Self.warmOnly(segment: segment, isValidKey: { kept.contains($0) })
        #expect(tiers.warmRecovery == WarmRecoveryReport(start: .reattached, restoredEntries: kept.count, discardedEntries: 10 - kept.count))
        for i in 0..<10 { #expect((tiers.lookup(F.key(i)) != nil) == kept.contains(F.key(i))) }
    }

    @Test("A smaller capacity after restart keeps the most recent entries")
    func capacityShrinkKeepsNewest() throws {
        let segment = F.uniqueSegmentName("shrink")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        do {
            let tiers = try Self.warmOnly(segment: segment)
            for i in 0..<10 { tiers.admit(F.chunk(i)) }
            tiers.close()
        }
        // Same byte capacity (same geometry), fewer tokens: 4 chunks of 10 tokens fit.
        let tiers = try Self.warmOnly(segment: segment, warm: F.settings(bytes: 256 << 10, tokens: 40))
        #expect(tiers.warmRecovery == WarmRecoveryReport(start: .reattached, restoredEntries: 4, discardedEntries: 6))
        for i in 6..<10 { #expect(F.tierHolding(F.key(i), in: tiers) == .warm) }
    }

    @Test("A changed geometry or precision starts empty")
    func geometryChange() throws {
        let segment = F.uniqueSegmentName("geometry")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        do {
            let tiers = try Self.warmOnly(segment: segment)
            for i in 0..<3 { tiers.admit(F.chunk(i)) }
            tiers.close()
        }
        do {
            let tiers = try Self.warmOnly(segment: segment, warm: F.settings(bytes: 256 << 10, tokens: 10_000, precision: .float16))
            #expect(tiers.warmRecovery.start == .discarded(reason: "precision changed"))
            tiers.close()
        }
        let tiers = try Self.warmOnly(segment: segment, warm: F.settings(bytes: 8 << 20, tokens: 10_000))
        #expect(tiers.warmRecovery.start == .created)
        #expect(F.stats(tiers, .warm).entries == 0)
    }

    @Test("A second attach of the same warm tier is refused while the first holds it")
    func exclusiveAttach() throws {
        let segment = F.uniqueSegmentName("exclusive")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let first = try Self.warmOnly(segment: segment)
        do {
            _ = try Self.warmOnly(segment: segment)
            Issue.record("second attach succeeded")
        } catch {
            #expect(error.code == .failedPrecondition)
        }
        first.close()
        let second = try Self.warmOnly(segment: segment)
        #expect(second.warmRecovery.start == .reattached)
    }

    @Test("FP16 warm tier round-trips through a restart")
    func float16Warm() throws {
        let segment = F.uniqueSegmentName("fp16")
        defer { try? TierHierarchy.destroySharedMemory(name: segment) }
        let warm = F.settings(bytes: 256 << 10, tokens: 10_000, precision: .float16)
        let chunk = F.chunk(5, dimension: 384)
        do {
            let tiers = try Self.warmOnly(segment: segment, warm: warm)
            tiers.admit(chunk)
            tiers.close()
        }
        let tiers = try Self.warmOnly(segment: segment, warm: warm)
        let found = try #require(tiers.lookup(chunk.key))
        #expect(found.chunk.vector == Float16Codec.decode(Float16Codec.encode(chunk.vector!)))
        #expect(found.tier == .warm)
    }
}
