import Foundation
import StrataCore
import Testing
@testable import StrataStore

@Suite("Recovery rules")
struct RecoveryTests {
    private func appendBytes(_ bytes: [UInt8], to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(bytes))
        handle.closeFile()
    }

    private func walPath(_ dir: String) throws -> String {
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("wal-") && $0.hasSuffix(".log") }.sorted().last)
        return dir + "/" + name
    }

    @Test("a torn WAL tail is cut after a copy is kept; acknowledged records stay")
    func tornTail() throws {
        let dir = StoreTestData.temporaryDirectory("torn")
        defer { StoreTestData.removeDirectory(dir) }
        var tier = try PersistentTier.open(directory: dir)
        try tier.apply(SlotWrite(slot: 0, sequence: 1, operations: [StoreTestData.put("ns", "a", ["kept"])]))
        tier.close()
        let wal = try walPath(dir)
        let goodSize = try FileManager.default.attributesOfItem(atPath: wal)[.size] as! Int
        // Half a frame: a plausible length and checksum, then the write stopped.
        let frame = WALFrame.encode(Array(repeating: 7, count: 100))
        try appendBytes(Array(frame[0..<40]), to: wal)

        tier = try PersistentTier.open(directory: dir)
        defer { tier.close() }
        let torn = try #require(tier.recoveryReport.tornTails.first)
        #expect(torn.offset == goodSize)
        #expect(torn.discardedBytes == 40)
        #expect(FileManager.default.fileExists(atPath: dir + "/" + torn.copy))
        #expect(try FileManager.default.attributesOfItem(atPath: wal)[.size] as! Int == goodSize)
        #expect(try tier.read(ChunkRef(namespace: "ns", hash: .of("kept"))).text == "kept")
        // Appends after the repair land where the torn frame was and survive a reopen.
        try tier.apply(SlotWrite(slot: 0, sequence: 2, operations: [StoreTestData.put("ns", "b", ["after"])]))
    }

    @Test("damage in the middle of the WAL refuses to open instead of dropping acknowledged records")
    func corruptMiddle() throws {
        let dir = StoreTestData.temporaryDirectory("midwal")
        defer { StoreTestData.removeDirectory(dir) }
        var tier: PersistentTier? = try PersistentTier.open(directory: dir)
        for seq in 1...3 {
            try tier!.apply(SlotWrite(slot: 0, sequence: UInt64(seq), operations: [StoreTestData.put("ns", "d\(seq)", ["text \(seq)"])]))
        }
        tier = nil  // no close() (it would flush the WAL into a segment): a stop as after SIGKILL
        let wal = try walPath(dir)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: wal)))
        bytes[WALFrame.fileHeaderSize + 12] ^= 0x40  // inside the first frame's payload
        try Data(bytes).write(to: URL(fileURLWithPath: wal))
        let error = #expect(throws: StrataError.self) { _ = try PersistentTier.open(directory: dir) }
        #expect(error?.code == .dataLoss)
        #expect(error?.message.contains("refusing to open") == true)
    }

    @Test("a corrupted segment is reported and quarantined, and none of it is served")
    func corruptedSegmentQuarantined() throws {
        let dir = StoreTestData.temporaryDirectory("quarantine")
        defer { StoreTestData.removeDirectory(dir) }
        var tier = try PersistentTier.open(directory: dir)
        try tier.apply(SlotWrite(slot: 0, sequence: 1, operations: [StoreTestData.put("ns", "a", [StoreTestData.text(1), StoreTestData.text(2)])]))
        try tier.flush()
        try tier.apply(SlotWrite(slot: 0, sequence: 2, operations: [StoreTestData.put("ns", "b", ["in the wal"])]))
        let epoch = tier.epoch
        tier.close()  // flushes "in the wal" into a second segment
        // The first segment: the one the explicit flush wrote.
        let segName = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".seg") }.sorted().first)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/" + segName)))
        bytes[SegmentFormat.headerSize + 20] ^= 0x01  // inside the first body block
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + segName))

        tier = try PersistentTier.open(directory: dir)
        defer { tier.close() }
        let q = try #require(tier.recoveryReport.quarantined.first)
        #expect(q.segment == segName)
        #expect(q.reason.contains("checksum"))
        #expect(FileManager.default.fileExists(atPath: dir + "/" + q.movedTo))
        #expect(!FileManager.default.fileExists(atPath: dir + "/" + segName))
        #expect(tier.epoch != epoch)
        #expect(throws: StrataError.self) { try tier.read(ChunkRef(namespace: "ns", hash: .of(StoreTestData.text(1)))) }
        #expect(throws: StrataError.self) { try tier.read(ChunkRef(namespace: "ns", hash: .of(StoreTestData.text(2)))) }
        #expect(try tier.read(ChunkRef(namespace: "ns", hash: .of("in the wal"))).text == "in the wal")
    }

    @Test("a block corrupted after open is detected on read and never served")
    func corruptionOnRead() throws {
        let dir = StoreTestData.temporaryDirectory("readcrc")
        defer { StoreTestData.removeDirectory(dir) }
        let tier = try PersistentTier.open(directory: dir)
        defer { tier.close() }
        try tier.apply(SlotWrite(slot: 0, sequence: 1, operations: [StoreTestData.put("ns", "a", [StoreTestData.text(9)])]))
        try tier.flush()
        let segName = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".seg") })
        let handle = try #require(FileHandle(forUpdatingAtPath: dir + "/" + segName))
        handle.seek(toFileOffset: UInt64(SegmentFormat.headerSize + 30))
        let old = handle.readData(ofLength: 1)
        handle.seek(toFileOffset: UInt64(SegmentFormat.headerSize + 30))
        handle.write(Data([old[0] ^ 0x10]))
        handle.closeFile()
        let error = #expect(throws: StrataError.self) { try tier.read(ChunkRef(namespace: "ns", hash: .of(StoreTestData.text(9)))) }
        #expect(error?.code == .dataLoss)
        #expect(tier.detailedStats().corruptReads == 1)
    }

    @Test("a data directory of another format version is refused with a clear error")
    func versionMismatch() throws {
        let dir = StoreTestData.temporaryDirectory("version")
        defer { StoreTestData.removeDirectory(dir) }
        try PersistentTier.open(directory: dir).close()
        var manifest = try Manifest.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/MANIFEST"))), path: "m", expectedVersion: PersistentTier.formatVersion)
        manifest.formatVersion = 99
        try Data(manifest.encoded()).write(to: URL(fileURLWithPath: dir + "/MANIFEST"))
        let error = #expect(throws: StrataError.self) { _ = try PersistentTier.open(directory: dir) }
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message.contains("format version 99") == true)
    }

    @Test("leftovers of an interrupted flush are removed, nothing is served twice")
    func leftoversRemoved() throws {
        let dir = StoreTestData.temporaryDirectory("leftover")
        defer { StoreTestData.removeDirectory(dir) }
        let tier = try PersistentTier.open(directory: dir)
        try tier.apply(SlotWrite(slot: 0, sequence: 1, operations: [StoreTestData.put("ns", "a", ["x"])]))
        tier.close()
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/seg-00000042.seg"))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/MANIFEST.tmp"))
        let reopened = try PersistentTier.open(directory: dir)
        defer { reopened.close() }
        #expect(Set(reopened.recoveryReport.removedLeftovers) == ["seg-00000042.seg", "MANIFEST.tmp"])
        #expect(reopened.recoveryReport.quarantined.isEmpty)
        #expect(try reopened.read(ChunkRef(namespace: "ns", hash: .of("x"))).text == "x")
    }

    @Test("a segment the manifest lists but the directory lacks is reported, and the rest opens")
    func missingSegmentReported() throws {
        let dir = StoreTestData.temporaryDirectory("missing")
        defer { StoreTestData.removeDirectory(dir) }
        let tier = try PersistentTier.open(directory: dir)
        try tier.apply(SlotWrite(slot: 0, sequence: 1, operations: [StoreTestData.put("ns", "a", ["in a segment"])]))
        try tier.flush()
        try tier.apply(SlotWrite(slot: 0, sequence: 2, operations: [StoreTestData.put("ns", "b", ["in the wal"])]))
        tier.close()  // flushes "in the wal" into a second segment
        // The first segment: the one the explicit flush wrote.
        let segName = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".seg") }.sorted().first)
        try FileManager.default.removeItem(atPath: dir + "/" + segName)
        let reopened = try PersistentTier.open(directory: dir)
        defer { reopened.close() }
        #expect(reopened.recoveryReport.quarantined.map(\.segment) == [segName])
        #expect(throws: StrataError.self) { try reopened.read(ChunkRef(namespace: "ns", hash: .of("in a segment"))) }
        #expect(try reopened.read(ChunkRef(namespace: "ns", hash: .of("in the wal"))).text == "in the wal")
    }
}
