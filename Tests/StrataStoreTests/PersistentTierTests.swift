import Foundation
import StrataCore
import Testing
@testable import StrataStore

@Suite("Persistent tier: writes, reopen, dedup, compaction")
struct PersistentTierTests {
    @Test("acknowledged writes survive close and reopen, before and after a flush; a clean close leaves no WAL to replay")
    func reopenRoundTrip() throws {
        let dir = StoreTestData.temporaryDirectory("reopen")
        defer { StoreTestData.removeDirectory(dir) }
        var tier = try PersistentTier.open(directory: dir)
        #expect(tier.recoveryReport.createdFresh)
        try tier.apply(SlotWrite(slot: 3, sequence: 1, operations: [StoreTestData.put("ns", "a", ["one", "two"], vectors: [[1, 0, 0.5], [0, 1, 0.25]])]))
        try tier.flush()
        try tier.apply(SlotWrite(slot: 3, sequence: 2, operations: [StoreTestData.put("ns", "b", ["three"], vectors: [[0.5, 0.5, 0.5]])]))
        let before = try StoreTestData.dump(tier, slot: 3)
        #expect(before.count == 3)
        tier.close()
        tier = try PersistentTier.open(directory: dir)
        #expect(try StoreTestData.dump(tier, slot: 3) == before)
        #expect(tier.lastSequence(of: 3) == 2)
        // close() flushed the second write into a segment of its own: restart cost does not
        // grow with what was written before the stop.
        #expect(tier.recoveryReport.walRecordsReplayed == 0)
        #expect(tier.recoveryReport.segmentsLoaded == 2)
        let (text, _, vector) = try tier.read(ChunkRef(namespace: "ns", hash: .of("two")))
        #expect(text == "two")
        #expect(vector == [0, 1, 0.25])
        tier.close()
    }

    @Test("identical text in a namespace is stored once; deletes drop references; compaction reclaims")
    func dedupRefcountCompaction() throws {
        let dir = StoreTestData.temporaryDirectory("dedup")
        defer { StoreTestData.removeDirectory(dir) }
        let tier = try PersistentTier.open(directory: dir)
        defer { tier.close() }
        let shared = StoreTestData.noise(1, length: 2000)
        try tier.apply(SlotWrite(slot: 0, sequence: 1, operations: [
            StoreTestData.put("ns", "a", [shared, StoreTestData.noise(2, length: 2000)]),
            StoreTestData.put("ns", "b", [shared]),
            StoreTestData.put("other", "c", [shared]),
        ]))
        var s = tier.detailedStats()
        #expect(s.entries == 3)          // shared once in "ns", once in "other", plus text 2
        #expect(s.documentChunks == 4)
        try tier.flush()
        let fullSegment = tier.detailedStats().segmentBytes

        try tier.apply(SlotWrite(slot: 0, sequence: 2, operations: [.deleteDocument(namespace: "ns", documentID: "a")]))
        // "b" still references the shared text.
        #expect(try tier.read(ChunkRef(namespace: "ns", hash: .of(shared))).text == shared)
        #expect(throws: StrataError.self) { try tier.read(ChunkRef(namespace: "ns", hash: .of(StoreTestData.noise(2, length: 2000)))) }
        try tier.apply(SlotWrite(slot: 0, sequence: 3, operations: [.deleteDocument(namespace: "ns", documentID: "b")]))
        #expect(throws: StrataError.self) { try tier.read(ChunkRef(namespace: "ns", hash: .of(shared))) }
        s = tier.detailedStats()
        #expect(s.entries == 1)
        #expect(s.documents == 1)

        try tier.compact()
        s = tier.detailedStats()
        #expect(s.segmentCount == 1)
        // The deleted 2000-byte body barely compresses, so dropping it saves well over 1000 bytes.
        #expect(s.segmentBytes < fullSegment - 1000)
        // The reclaimed text is gone from the disk: no segment file holds its compressed block.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".seg") }
        #expect(files.count == 1)
        #expect(try tier.read(ChunkRef(namespace: "other", hash: .of(shared))).text == shared)

        // A re-put after compaction stores the body again and it is readable after reopen.
        try tier.apply(SlotWrite(slot: 0, sequence: 4, operations: [StoreTestData.put("ns", "b", [shared])]))
        try tier.compact()
        #expect(try tier.read(ChunkRef(namespace: "ns", hash: .of(shared))).text == shared)
    }

    @Test("overwriting a document replaces its chunks; dropping a namespace removes the slot's documents")
    func overwriteAndDrop() throws {
        let dir = StoreTestData.temporaryDirectory("overwrite")
        defer { StoreTestData.removeDirectory(dir) }
        let tier = try PersistentTier.open(directory: dir)
        defer { tier.close() }
        try tier.apply(SlotWrite(slot: 1, sequence: 1, operations: [StoreTestData.put("ns", "a", ["old"])]))
        try tier.apply(SlotWrite(slot: 1, sequence: 2, operations: [StoreTestData.put("ns", "a", ["new", "newer"])]))
        #expect(tier.documentChunks(namespace: "ns", documentID: "a")?.map(\.hash) == [.of("new"), .of("newer")])
        #expect(throws: StrataError.self) { try tier.read(ChunkRef(namespace: "ns", hash: .of("old"))) }
        try tier.apply(SlotWrite(slot: 2, sequence: 1, operations: [StoreTestData.put("ns", "z", ["zz"])]))
        try tier.apply(SlotWrite(slot: 1, sequence: 3, operations: [.dropNamespace(namespace: "ns")]))
        #expect(tier.documentChunks(namespace: "ns", documentID: "a") == nil)
        #expect(tier.documentChunks(namespace: "ns", documentID: "z") != nil)  // other slot untouched
    }

    @Test("sequence numbers make apply idempotent")
    func idempotentApply() throws {
        let dir = StoreTestData.temporaryDirectory("idem")
        defer { StoreTestData.removeDirectory(dir) }
        let tier = try PersistentTier.open(directory: dir)
        defer { tier.close() }
        #expect(try tier.apply(SlotWrite(slot: 1, sequence: 5, operations: [StoreTestData.put("ns", "a", ["x"])])) == .applied)
        #expect(try tier.apply(SlotWrite(slot: 1, sequence: 5, operations: [StoreTestData.put("ns", "a", ["y"])])) == .alreadyApplied(lastSequence: 5))
        #expect(try tier.read(ChunkRef(namespace: "ns", hash: .of("x"))).text == "x")
    }

    @Test("group commit under the interval policy acknowledges every concurrent writer")
    func groupCommit() async throws {
        let dir = StoreTestData.temporaryDirectory("group")
        defer { StoreTestData.removeDirectory(dir) }
        let tier = try PersistentTier.open(directory: dir, settings: PersistentSettings(fsyncPolicy: .interval(milliseconds: 2)))
        await withTaskGroup(of: Void.self) { group in
            for slot in 0..<8 {
                group.addTask {
                    for seq in 1...10 {
                        _ = try? tier.apply(SlotWrite(slot: UInt32(slot), sequence: UInt64(seq),
                                                      operations: [StoreTestData.put("ns", "s\(slot)-\(seq)", ["text \(slot) \(seq)"])]))
                    }
                }
            }
        }
        tier.close()
        let reopened = try PersistentTier.open(directory: dir)
        defer { reopened.close() }
        for slot in 0..<8 {
            #expect(reopened.lastSequence(of: UInt32(slot)) == 10)
            #expect(try StoreTestData.dump(reopened, slot: UInt32(slot)).count == 10)
        }
    }

    @Test("background flushes and compactions while writers and readers run lose nothing")
    func backgroundMaintenance() async throws {
        let dir = StoreTestData.temporaryDirectory("background")
        defer { StoreTestData.removeDirectory(dir) }
        let settings = PersistentSettings(walFlushBytes: 8 << 10, compactionGarbageRatio: 0.2, compactionMaxSegments: 2)
        let tier = try PersistentTier.open(directory: dir, settings: settings)
        let failures = await withTaskGroup(of: Int.self) { group in
            for slot in 0..<4 {
                group.addTask {
                    var failures = 0
                    for seq in 1...60 {
                        // Overwrites of a few documents make garbage for compaction to reclaim.
                        let doc = "d\(seq % 7)"
                        let text = "slot \(slot) seq \(seq) " + StoreTestData.text(slot * 1000 + seq, length: 400)
                        do {
                            try tier.apply(SlotWrite(slot: UInt32(slot), sequence: UInt64(seq), operations: [StoreTestData.put("ns\(slot)", doc, [text])]))
                            // Read it straight back, whichever of memtable, flushing memtable or segment holds it.
                            if try tier.read(ChunkRef(namespace: "ns\(slot)", hash: .of(text))).text != text { failures += 1 }
                        } catch {
                            failures += 1
                        }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
        tier.waitForMaintenance()
        let stats = tier.detailedStats()
        #expect(stats.flushes > 0)
        #expect(stats.compactions > 0)
        #expect(stats.maintenanceErrors == 0)
        let before = try (0..<4).map { try StoreTestData.dump(tier, slot: UInt32($0)) }
        tier.close()
        let reopened = try PersistentTier.open(directory: dir, settings: settings)
        defer { reopened.close() }
        #expect(try (0..<4).map { try StoreTestData.dump(reopened, slot: UInt32($0)) } == before)
        for slot in 0..<4 {
            #expect(before[slot].count == 7)
            #expect(reopened.lastSequence(of: UInt32(slot)) == 60)
        }
    }
}
