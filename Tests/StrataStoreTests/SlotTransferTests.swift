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
}
