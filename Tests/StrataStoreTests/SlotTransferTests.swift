import StrataCore
import Testing
@testable import StrataStore

@Suite("Slot export and import")
struct SlotTransferTests {
    @Test("a full export rebuilds the slot elsewhere; a delta brings a lagging copy up to date")
    func fullAndDelta() throws {
        let dirA = StoreTestData.temporaryDirectory("src")
        let dirB = StoreTestData.temporaryDirectory("dst")
        defer { StoreTestData.removeDirectory(dirA); StoreTestData.removeDirectory(dirB) }
        let a = try PersistentTier.open(directory: dirA)
        let b = try PersistentTier.open(directory: dirB)
        defer { a.close(); b.close() }
        try a.apply(SlotWrite(slot: 7, sequence: 1, operations: [StoreTestData.put("ns", "x", ["x1", "x2"], vectors: [[1, 2], [3, 4]])]))
        try a.apply(SlotWrite(slot: 7, sequence: 2, operations: [StoreTestData.put("ns", "y", ["y1"], vectors: [[5, 6]])]))
        try a.apply(SlotWrite(slot: 8, sequence: 1, operations: [StoreTestData.put("ns", "other-slot", ["o"])]))
        try a.flush()

        var full: [SlotWrite] = []
        let last = try a.exportSlot(7, after: 0) { full.append($0) }
        #expect(last == 2)
        try b.importSlot(full)
        #expect(try StoreTestData.dump(b, slot: 7) == StoreTestData.dump(a, slot: 7))
        #expect(b.lastSequence(of: 7) == 2)
        #expect(try StoreTestData.dump(b, slot: 8).isEmpty)

        // The source moves on: overwrite, delete, add, and a batch that changes nothing.
        try a.apply(SlotWrite(slot: 7, sequence: 3, operations: [StoreTestData.put("ns", "x", ["x1 v2"], vectors: [[7, 8]])]))
        try a.apply(SlotWrite(slot: 7, sequence: 4, operations: [.deleteDocument(namespace: "ns", documentID: "y")]))
        try a.apply(SlotWrite(slot: 7, sequence: 5, operations: [StoreTestData.put("ns", "z", ["z1"], vectors: [[9, 10]])]))
        try a.apply(SlotWrite(slot: 7, sequence: 6, operations: [.deleteDocument(namespace: "ns", documentID: "never-existed")]))
        try a.apply(SlotWrite(slot: 7, sequence: 7, operations: []))

        var delta: [SlotWrite] = []
        try a.exportSlot(7, after: b.lastSequence(of: 7)) { delta.append($0) }
        #expect(delta.allSatisfy { $0.sequence > 2 })
        #expect(delta.count == 5)  // 3, 4, 5, 6 and the trailing marker 7
        try b.importSlot(delta)
        #expect(try StoreTestData.dump(b, slot: 7) == StoreTestData.dump(a, slot: 7))
        #expect(b.lastSequence(of: 7) == 7)
        // Importing the same delta again is a no-op.
        try b.importSlot(delta)
        #expect(try StoreTestData.dump(b, slot: 7) == StoreTestData.dump(a, slot: 7))
    }

    @Test("a copy holds the source's slot digest at the same sequence, across a restart; other content does not")
    func digests() throws {
        let dirA = StoreTestData.temporaryDirectory("digest-src")
        let dirB = StoreTestData.temporaryDirectory("digest-dst")
        let dirC = StoreTestData.temporaryDirectory("digest-other")
        defer { for dir in [dirA, dirB, dirC] { StoreTestData.removeDirectory(dir) } }
        let a = try PersistentTier.open(directory: dirA)
        var b = try PersistentTier.open(directory: dirB)
        defer { a.close() }
        try a.apply(SlotWrite(slot: 4, sequence: 1, operations: [StoreTestData.put("ns", "x", ["x1", "x2"])]))
        try a.apply(SlotWrite(slot: 4, sequence: 2, operations: [StoreTestData.put("gone", "g", ["g1"])]))
        try a.apply(SlotWrite(slot: 4, sequence: 3, operations: [StoreTestData.put("ns", "y", ["y1"])]))
        try a.apply(SlotWrite(slot: 4, sequence: 4, operations: [.dropNamespace(namespace: "gone")]))
        try a.flush()
        try a.apply(SlotWrite(slot: 4, sequence: 5, operations: [.deleteDocument(namespace: "ns", documentID: "y")]))
        var full: [SlotWrite] = []
        try a.exportSlot(4, after: 0) { full.append($0) }
        try b.importSlot(full)
        let source = try #require(a.slotPositions()[4])
        #expect(source.sequence == 5 && source.digest != 0)
        #expect(b.slotPositions()[4]! == source)
        b.close()
        b = try PersistentTier.open(directory: dirB)  // rebuilt from the WAL: the same digest
        #expect(b.slotPositions()[4]! == source)
        // The same sequence with other content (x's second chunk differs) has another digest.
        let c = try PersistentTier.open(directory: dirC)
        try c.apply(SlotWrite(slot: 4, sequence: 5, operations: [StoreTestData.put("ns", "x", ["x1", "x2 changed"])]))
        #expect(c.slotPositions()[4]!.sequence == 5 && c.slotPositions()[4]!.digest != source.digest)
        c.close()
        // Deleting the last document brings the digest back to 0; forgetting the slot removes it.
        try b.apply(SlotWrite(slot: 4, sequence: 6, operations: [.deleteDocument(namespace: "ns", documentID: "x")]))
        #expect(b.slotPositions()[4]! == (6, 0))
        try b.forgetSlot(4, ifAtMost: 6)
        #expect(b.slotPositions()[4] == nil)
        b.close()
    }
}
