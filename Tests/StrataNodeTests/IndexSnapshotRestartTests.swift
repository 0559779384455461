import Foundation
import StrataCore
import StrataNode
import StrataRPC
import StrataSearch
import StrataStore
import StrataTestSupport
import StrataWire
import Testing

private func put(_ sequence: UInt64, _ id: String, _ text: String, _ vector: [Float]) -> StrataWire.SlotWrite {
    let chunk = ChunkMessage(namespace: "docs", contentHash: ContentHash.of(text),
                             provenance: ChunkProvenance(documentID: id, byteStart: 0, byteEnd: text.utf8.count, lineStart: 1, lineEnd: 1),
                             ordinal: 0, text: text, tokenCount: UInt32(text.count / 4 + 1), vector: vector)
    return StrataWire.SlotWrite(sequence: sequence, namespace: "docs", operation: .put(PutDocument(documentID: id, chunks: [chunk])))
}

/// A restarted worker reads its search index back from the per-slot snapshots written at
/// shutdown instead of rebuilding it, and a snapshot that is torn, corrupted, or older than
/// the store's slot (a crash after later writes) is rebuilt from the store, never used.
@Suite(.serialized) struct IndexSnapshotRestartTests {
    private static let slots: [UInt32] = [1, 2, 3, 4]
    private static let words = ["parse", "request", "cache", "tier", "worker", "replica", "token", "budget"]

    private static func fill(_ worker: WorkerUnderTest) async throws {
        var rng = SplitMix64(seed: 5)
        for slot in slots {
            for i in 1...6 {
                let text = (0..<5).map { _ in words[Int.random(in: 0..<words.count, using: &rng)] }.joined(separator: " ")
                try await worker.apply(slot, [put(UInt64(i), "s\(slot)/d\(i)", text, (0..<4).map { _ in rng.gaussian() })])
            }
        }
    }

    private static func answers(_ worker: WorkerUnderTest) async throws -> [WorkerSearchResponse] {
        var out: [WorkerSearchResponse] = []
        for mode in [QueryMode.lexical, .vector, .hybrid] {
            out.append(try await worker.search(WorkerSearchRequest(namespace: "docs", slots: slots, text: "cache request",
                                                                    vector: [0.2, -0.5, 0.9, 0.1], mode: mode, topK: 8)))
        }
        return out
    }

    private static func file(_ directory: String, _ slot: UInt32) -> String { "\(directory)/search-index/slot-\(slot).sidx" }

    @Test func aCleanRestartReadsEverySlotFromItsSnapshot() async throws {
        let worker = try WorkerUnderTest()
        try await Self.fill(worker)
        let before = try await Self.answers(worker)
        let directory = worker.directory
        await worker.stop()
        let restarted = try WorkerUnderTest(directory: directory)
        #expect(restarted.node.indexRestore! == (loaded: 4, rebuilt: 0))
        #expect(try await Self.answers(restarted) == before)
        await restarted.destroy()
    }

    @Test func changedSlotsAreSnapshottedWhileTheWorkerRuns() async throws {
        let worker = try WorkerUnderTest(settings: ["worker.index_snapshot_interval_ms": "50"])
        try await Self.fill(worker)
        try await worker.apply(2, [put(7, "s2/late", "late words", [1, 0, 0, 0])])
        // Within a few intervals every slot's file names the slot's current position, without
        // a shutdown (what a restart after kill -9 finds).
        func current() async throws -> Bool {
            for slot in Self.slots {
                let sequence = try #require(try await worker.slotSequence(Int(slot)))
                guard let bytes = FileManager.default.contents(atPath: Self.file(worker.directory, slot)),
                      let header = SearchIndexSnapshotFrame.header(of: [UInt8](bytes)[...]), header.frame.sequence == sequence else { return false }
            }
            return true
        }
        let deadline = ContinuousClock.now + .seconds(300)  // a hang guard, as SmallCluster.eventually
        while !(try await current()) {
            #expect(ContinuousClock.now < deadline, "snapshots did not follow the writes")
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        await worker.destroy()
    }

    /// The snapshots are read ahead of the store's open, from whatever files the directory
    /// holds: a file that is intact but holds another slot's snapshot, or a slot the store no
    /// longer holds, is never installed.
    @Test func aSnapshotUnderAnotherSlotsNameIsNotUsed() async throws {
        let worker = try WorkerUnderTest()
        try await Self.fill(worker)
        let expected = try await Self.answers(worker)
        let directory = worker.directory
        await worker.stop()
        try Data(contentsOf: URL(fileURLWithPath: Self.file(directory, 3))).write(to: URL(fileURLWithPath: Self.file(directory, 4)))
        try Data(contentsOf: URL(fileURLWithPath: Self.file(directory, 1))).write(to: URL(fileURLWithPath: Self.file(directory, 9)))
        let restarted = try WorkerUnderTest(directory: directory)
        #expect(restarted.node.indexRestore! == (loaded: 3, rebuilt: 1))
        #expect(try await Self.answers(restarted) == expected)
        #expect(!FileManager.default.fileExists(atPath: Self.file(directory, 9)))
        await restarted.destroy()
    }

    @Test func aTornCorruptOrStaleSnapshotIsRebuiltFromTheStore() async throws {
        let worker = try WorkerUnderTest()
        try await Self.fill(worker)
        let directory = worker.directory
        await worker.stop()
        // Slot 4's snapshot as of now; the worker then takes a write to slot 4 and is
        // "killed" after it: the old snapshot is put back, as if the new one was never written.
        let stale = try Data(contentsOf: URL(fileURLWithPath: Self.file(directory, 4)))
        let second = try WorkerUnderTest(directory: directory)
        try await second.apply(4, [put(7, "s4/late", "late cache request words", [0.2, -0.5, 0.9, 0.1])])
        let expected = try await Self.answers(second)
        #expect(expected[1].candidates.first?.chunk.provenance.documentID == "s4/late")
        await second.stop()
        try stale.write(to: URL(fileURLWithPath: Self.file(directory, 4)))
        // Slot 1: one byte flipped in the payload. Slot 2: cut short (a kill during the
        // write of the file itself). Slot 3: intact. A leftover temporary file is removed.
        var corrupt = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.file(directory, 1))))
        corrupt[corrupt.count / 2] ^= 0x10
        try Data(corrupt).write(to: URL(fileURLWithPath: Self.file(directory, 1)))
        let torn = try Data(contentsOf: URL(fileURLWithPath: Self.file(directory, 2)))
        try torn.prefix(torn.count - 3).write(to: URL(fileURLWithPath: Self.file(directory, 2)))
        try torn.prefix(10).write(to: URL(fileURLWithPath: Self.file(directory, 2) + ".tmp"))

        let restarted = try WorkerUnderTest(directory: directory)
        #expect(restarted.node.indexRestore! == (loaded: 1, rebuilt: 3))
        #expect(try await Self.answers(restarted) == expected)
        #expect(!FileManager.default.fileExists(atPath: Self.file(directory, 2) + ".tmp"))
        await restarted.stop()
        // The rebuilt slots' snapshots were written again at that shutdown: all four are used.
        let again = try WorkerUnderTest(directory: directory)
        #expect(again.node.indexRestore! == (loaded: 4, rebuilt: 0))
        #expect(try await Self.answers(again) == expected)
        await again.destroy()
    }
}
