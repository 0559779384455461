import Foundation
import StrataCore
import Testing
@testable import StrataStore

@Suite("WAL appends with direct I/O")
struct WALDirectWriteTests {
    /// Frames of sizes that start and end anywhere inside 4 KiB blocks, some spanning several.
    static func payloads(seed: UInt64, count: Int) -> [[UInt8]] {
        var x = seed
        func next() -> UInt64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
        return (0..<count).map { i in
            let size = [1, 7, 100, 4000, 4096, 4097, 9000, 70_000][Int(next() % 8)] + Int(next() % 64)
            return (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }
        }
    }

    @Test("every appended frame reads back in order, across reopen at an unaligned end, with and without close")
    func appendsRoundTrip() throws {
        let dir = StoreTestData.temporaryDirectory("direct-wal")
        defer { StoreTestData.removeDirectory(dir) }
        let fs = PosixFileSystem()
        let first = Self.payloads(seed: 0x5EED, count: 60)
        var wal = try WALWriter.create(fs: fs, directory: dir, number: 1, version: 1)
        for p in first { try wal.append(p) }
        try wal.sync()
        let path = wal.path
        // No close: what a crash leaves (the last block's zero padding is still there).
        let crashed = try fs.open(path, create: false).readAll()
        let scan = try WALScan.scan(crashed, path: path, version: 1)
        #expect(scan.payloads.map { Array(crashed[$0]) } == first)
        if scan.ending != .clean {
            // Only zeros follow the last frame.
            #expect(crashed[scan.validEnd...].allSatisfy { $0 == 0 })
        }
        // Reopen at the unaligned end of the last frame, append more, close.
        wal.close()
        wal = try WALWriter.reopen(fs: fs, directory: dir, number: 1, validEnd: scan.validEnd)
        let second = Self.payloads(seed: 0xFEED, count: 40)
        for p in second { try wal.append(p) }
        try wal.sync()
        let end = wal.endOffset
        wal.close()
        let bytes = try fs.open(path, create: false).readAll()
        #expect(bytes.count == end, "close cuts the padding")
        let clean = try WALScan.scan(bytes, path: path, version: 1)
        #expect(clean.ending == .clean)
        #expect(clean.payloads.map { Array(bytes[$0]) } == first + second)
    }

    @Test("the real file system appends to the WAL with direct I/O (4 KiB aligned) where it can")
    func usesDirectIO() throws {
        let dir = StoreTestData.temporaryDirectory("direct-wal-align")
        defer { StoreTestData.removeDirectory(dir) }
        let path = dir + "/probe.log"
        FileManager.default.createFile(atPath: path, contents: Data())
        let file = try PosixFileSystem().openForAppends(path)
        defer { file.close() }
        // tmpfs has no O_DIRECT: then the ordinary path (alignment 1) is the correct fallback.
        #expect(file.writeAlignment == 4096 || file.writeAlignment == 1)
        let simulated = SimulatedDiskTestDouble(seed: 1)
        try simulated.createDirectory(dir)
        try simulated.open(dir + "/x", create: true).close()
        #expect(try simulated.openForAppends(dir + "/x").writeAlignment == 1, "simulated disks keep byte-granular writes")
    }
}

@Suite("WAL direct-I/O padding at recovery")
struct WALPaddingRecoveryTests {
    @Test("a store dropped without close reopens with the padding cut: no torn-tail repair, same epoch, everything there")
    func uncleanStopIsNotARepair() throws {
        let dir = StoreTestData.temporaryDirectory("direct-wal-unclean")
        defer { StoreTestData.removeDirectory(dir) }
        var tier: PersistentTier? = try PersistentTier.open(directory: dir)
        let epoch = tier!.epoch
        for i in 1...5 {
            try tier!.apply(SlotWrite(slot: 0, sequence: UInt64(i), operations: [StoreTestData.put("ns", "d\(i)", ["text \(i) " + String(repeating: "x", count: i * 700)])]))
        }
        tier = nil   // no close(): the descriptors go, the padding stays (as after SIGKILL)
        let reopened = try PersistentTier.open(directory: dir)
        defer { reopened.close() }
        #expect(reopened.recoveryReport.tornTails.isEmpty)
        #expect(!reopened.recoveryReport.repaired)
        #expect(reopened.epoch == epoch)
        #expect(reopened.recoveryReport.walRecordsReplayed == 5)
        for i in 1...5 {
            let text = "text \(i) " + String(repeating: "x", count: i * 700)
            #expect(try reopened.read(ChunkRef(namespace: "ns", hash: .of(text))).text == text)
        }
    }

    @Test("only zero padding inside the last block counts; anything else is a torn tail")
    func paddingRule() {
        let frame: [UInt8] = Array(repeating: 7, count: 100)
        #expect(WALWriter.isDirectWritePadding(frame + [UInt8](repeating: 0, count: 4096 - 100), from: 100))
        #expect(!WALWriter.isDirectWritePadding(frame + [UInt8](repeating: 0, count: 4096 - 101), from: 100), "not a block end")
        var dirty = frame + [UInt8](repeating: 0, count: 4096 - 100)
        dirty[4000] = 1
        #expect(!WALWriter.isDirectWritePadding(dirty, from: 100), "not all zeros")
        #expect(!WALWriter.isDirectWritePadding(frame + [UInt8](repeating: 0, count: 8192 - 100), from: 100), "more than one block")
        #expect(!WALWriter.isDirectWritePadding(frame, from: 100), "nothing to cut")
    }
}
