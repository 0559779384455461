import Foundation
import StrataCore
import Testing
@testable import StrataStore

@Suite("Forgetting a slot (DROP)")
struct ForgetSlotTests {
    private static func fill(_ tier: PersistentTier, slot: UInt32, documents: Range<Int>, length: Int = 2000) throws {
        for (i, d) in documents.enumerated() {
            try tier.apply(SlotWrite(slot: slot, sequence: UInt64(i + 1),
                                     operations: [StoreTestData.put("ns", "doc-\(d)", [StoreTestData.noise(d, length: length)])]))
        }
    }

    @Test("forget removes every namespace's documents, tombstones and the sequence of one slot only")
    func forgetsOneSlot() throws {
        let dir = StoreTestData.temporaryDirectory("forget")
        defer { StoreTestData.removeDirectory(dir) }
        let tier = try PersistentTier.open(directory: dir)
        try tier.apply(SlotWrite(slot: 3, sequence: 1, operations: [StoreTestData.put("a", "x", ["shared text", "only in 3"])]))
        try tier.apply(SlotWrite(slot: 3, sequence: 2, operations: [StoreTestData.put("b", "y", ["other namespace"])]))
        try tier.apply(SlotWrite(slot: 3, sequence: 3, operations: [.deleteDocument(namespace: "a", documentID: "gone")]))
        try tier.apply(SlotWrite(slot: 4, sequence: 1, operations: [StoreTestData.put("a", "z", ["shared text"])]))
        let slot4 = try StoreTestData.dump(tier, slot: 4)

        #expect(try tier.forgetSlot(3, ifAtMost: 2) == .kept(lastSequence: 3))
        #expect(tier.lastSequence(of: 3) == 3)
        #expect(try tier.forgetSlot(3, ifAtMost: 3) == .forgotten(lastSequence: 3))
        #expect(tier.slotSequences()[3] == nil)
        #expect(try StoreTestData.dump(tier, slot: 3).isEmpty)
        #expect(tier.documentChunks(namespace: "b", documentID: "y") == nil)
        var exported: [SlotWrite] = []
        try tier.exportSlot(3, after: 0) { exported.append($0) }
        #expect(exported.isEmpty)  // no tombstone survives either
        // The shared body stays live for slot 4; the slot-3-only body is dead.
        #expect(try StoreTestData.dump(tier, slot: 4) == slot4)
        #expect(tier.containsLive(cacheKey: ChunkRef(namespace: "a", hash: .of("shared text")).cacheKey))
        #expect(!tier.containsLive(cacheKey: ChunkRef(namespace: "a", hash: .of("only in 3")).cacheKey))
        #expect(try tier.forgetSlot(3, ifAtMost: 0) == .notHeld)
        #expect(try tier.forgetSlot(99, ifAtMost: 0) == .notHeld)

        // Placed here again later: the slot starts over from sequence 1.
        try tier.apply(SlotWrite(slot: 3, sequence: 1, operations: [StoreTestData.put("a", "again", ["back"])]))
        #expect(tier.lastSequence(of: 3) == 1)
        tier.close()

        let reopened = try PersistentTier.open(directory: dir)
        defer { reopened.close() }
        #expect(reopened.lastSequence(of: 3) == 1)
        #expect(try StoreTestData.dump(reopened, slot: 3).map { $0.split(separator: "|")[1] } == ["again"])
        #expect(try StoreTestData.dump(reopened, slot: 4) == slot4)
    }

    @Test("a forget survives flushes, compaction and reopening; compaction gives the disk back")
    func durableAndCompacted() throws {
        let dir = StoreTestData.temporaryDirectory("forget-disk")
        defer { StoreTestData.removeDirectory(dir) }
        let tier = try PersistentTier.open(directory: dir, settings: PersistentSettings(compactionGarbageRatio: 0.9))
        try Self.fill(tier, slot: 1, documents: 0..<40)
        try Self.fill(tier, slot: 2, documents: 100..<140)
        try tier.flush()
        let slot2 = try StoreTestData.dump(tier, slot: 2)
        let before = tier.detailedStats()
        #expect(try tier.forgetSlot(1, ifAtMost: 40) == .forgotten(lastSequence: 40))
        let after = tier.detailedStats()
        #expect(after.documentTokens * 2 == before.documentTokens)
        #expect(after.documents == 40)
        try tier.compact()
        let compacted = tier.detailedStats()
        // Noise barely compresses: half the bodies gone is about half the segment bytes.
        #expect(Double(compacted.segmentBytes) < 0.6 * Double(before.segmentBytes))
        tier.close()

        let reopened = try PersistentTier.open(directory: dir)
        defer { reopened.close() }
        #expect(reopened.slotSequences()[1] == nil)
        #expect(try StoreTestData.dump(reopened, slot: 1).isEmpty)
        #expect(try StoreTestData.dump(reopened, slot: 2) == slot2)
        #expect(reopened.detailedStats().documents == 40)
    }

    @Test("the dead share passing the threshold starts compaction by itself")
    func compactsByThreshold() throws {
        let dir = StoreTestData.temporaryDirectory("forget-auto")
        defer { StoreTestData.removeDirectory(dir) }
        let tier = try PersistentTier.open(directory: dir, settings: PersistentSettings(compactionGarbageRatio: 0.3, backgroundMaintenance: false))
        defer { tier.close() }
        try Self.fill(tier, slot: 1, documents: 0..<20)
        try Self.fill(tier, slot: 2, documents: 100..<140)
        try tier.flush()
        let before = tier.detailedStats()
        try tier.forgetSlot(2, ifAtMost: 40)   // two thirds of the bytes become dead
        let after = tier.detailedStats()
        #expect(after.compactions == before.compactions + 1)
        #expect(Double(after.segmentBytes) < 0.5 * Double(before.segmentBytes))
    }

    /// Power cut at every fsync of a forget and the compaction it starts: after the crash the
    /// slot is either whole or entirely gone (gone whenever `forgetSlot` returned), and the
    /// other slot is always intact.
    @Test("a crash anywhere in a drop leaves the slot whole or gone, never half")
    func crashMidDrop() throws {
        var whole = 0, gone = 0
        for run in 0..<16 {
            // Each cut twice: once losing every unsynced write, once keeping a torn prefix.
            let cut = run / 2, torn = run % 2 == 1
            let disk = SimulatedDiskTestDouble(seed: UInt64(run))
            let settings = PersistentSettings(compactionGarbageRatio: 0.2, backgroundMaintenance: false)
            var tier = try PersistentTier.open(directory: "/data", settings: settings, fileSystem: disk)
            try Self.fill(tier, slot: 1, documents: 0..<10, length: 500)
            try tier.flush()
            try tier.apply(SlotWrite(slot: 1, sequence: 11, operations: [StoreTestData.put("ns", "in-wal", ["wal only"])]))
            try Self.fill(tier, slot: 2, documents: 100..<110, length: 500)
            let slot1 = try StoreTestData.dump(tier, slot: 1)
            let slot2 = try StoreTestData.dump(tier, slot: 2)
            disk.powerOffAfterSyncs = cut
            let returned = (try? tier.forgetSlot(1, ifAtMost: 11)) == .forgotten(lastSequence: 11)
            disk.crash(tornWrites: torn)
            tier = try PersistentTier.open(directory: "/data", settings: settings, fileSystem: disk)
            let now = try StoreTestData.dump(tier, slot: 1)
            #expect(now.isEmpty || now == slot1, "cut \(cut): slot 1 is half there")
            if returned { #expect(now.isEmpty, "cut \(cut): an acknowledged forget was lost") }
            #expect(now.isEmpty == (tier.slotSequences()[1] == nil), "cut \(cut): sequence and documents disagree")
            #expect(try StoreTestData.dump(tier, slot: 2) == slot2, "cut \(cut)")
            if now.isEmpty { gone += 1 } else { whole += 1 }
            tier.close()
        }
        // The cuts reach both sides of the forget's fsync (and the flush and compaction after it).
        #expect(whole > 0 && gone > 0)
    }
}
