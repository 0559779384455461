import CStrataSupport
import StrataCore
import Testing
@testable import StrataStore

/// The ingest path's shortcuts must produce exactly what the plain paths produce.
@Suite("Ingest encoding")
struct IngestEncodingTests {
    @Test("UTF-8 validation agrees with the standard library on edge cases and random bytes")
    func utf8ValidationAgrees() {
        let cases: [[UInt8]] = [
            [], Array("plain ascii text, long enough for the 8-byte path".utf8), Array("héllo — 世界 🎉".utf8),
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],  // overlong
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  // surrogates
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF],  // above U+10FFFF, invalid lead
            [0xE2, 0x82], Array("abcdefgh".utf8) + [0xE2, 0x82],  // truncated at the end
            [0x80], [0xC3, 0x28], [0xF0, 0x9F, 0x98], [0xF4, 0x8F, 0xBF, 0xBF], [0xEF, 0xBF, 0xBF],
        ]
        var g = SystemRandomNumberGenerator()
        var all = cases
        for _ in 0..<2000 {
            let n = Int.random(in: 0...24, using: &g)
            // Mostly ASCII with some high bytes, so both valid and invalid sequences come up.
            all.append((0..<n).map { _ in Bool.random(using: &g) ? UInt8.random(in: 0x20...0x7E, using: &g) : UInt8.random(in: 0x80...0xFF, using: &g) })
        }
        for bytes in all {
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect((strata_utf8_is_valid(bytes, bytes.count) != 0) == expected, "bytes \(bytes)")
        }
    }

    @Test("A batch framed in place equals the payload framed afterwards, and decodes back")
    func inPlaceFrameMatches() throws {
        let chunks = (0..<5).map { i in
            ChunkInput(utf8: Array("chunk \(i) of some text ✓".utf8), tokenCount: 4 + i,
                       provenance: ChunkProvenance(documentID: "doc-é", byteStart: i, byteEnd: i + 10, lineStart: 1, lineEnd: 2),
                       vector: i.isMultiple(of: 2) ? [0.5, -1, 2] : nil)
        }
        let write = SlotWrite(slot: 3, sequence: 9, operations: [
            .putDocument(namespace: "ns", documentID: "doc-é", chunks: chunks),
            .deleteDocument(namespace: "ns", documentID: "old"), .dropNamespace(namespace: "gone"),
        ])
        let prepared = try WriteValidation.prepare(write, maxChunkBytes: 1 << 16, dimensions: [:])
        let payload = RecordCoding.encodeWAL(slot: 3, sequence: 9, operations: prepared)
        let framed = RecordCoding.encodeWALFrame(slot: 3, sequence: 9, operations: prepared)
        #expect(framed.payload == payload.count)
        #expect(framed.frame == WALFrame.encode(payload))
        #expect(RecordCoding.estimatedWALSize(prepared) >= payload.count)
        let range = try #require(WALFrame.decode(framed.frame, at: 0))
        let decoded = try RecordCoding.decodeWAL(framed.frame[range])
        #expect(decoded.slot == 3 && decoded.sequence == 9 && decoded.operations.count == 3)
    }
}

/// Parallel compression and streaming the output must not change a segment's bytes.
@Suite("Segment builder")
struct SegmentBuilderTests {
    /// Builds the test segment into `directory` through a `SegmentFileWriter`, draining after
    /// every `drainEvery` bodies (0: only at the end); returns the file's bytes.
    func build(threads: Int, drainEvery: Int, directory: String, fs: any StoreFileSystem = PosixFileSystem(), directIO: Bool = false) throws -> [UInt8] {
        let name = "seg-\(threads)-\(drainEvery)-\(directIO).seg"
        let builder = SegmentBuilder(id: 7, version: 1, compressors: (0..<threads).map { _ in ZstdCompressor(level: 1) })
        let sink = try SegmentFileWriter(fs: fs, directory: directory, name: name, directIO: directIO)
        var rng: UInt64 = 42
        for i in 0..<3000 {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            // Varied sizes and some incompressible bodies, so blocks differ and some stay raw.
            let n = 100 + Int(rng >> 52)
            let text: [UInt8] = i % 7 == 0 ? (0..<n).map { UInt8(truncatingIfNeeded: (rng >> UInt64($0 % 48)) &+ UInt64($0 &* 31)) }
                : Array(String(repeating: "token\(i % 13) ", count: n / 8).utf8)
            builder.addBody(namespace: "ns", hash: .of(text), tokenCount: n / 4,
                            body: ChunkBody(text: text, vector: i % 3 == 0 ? [1, 2, 3] : nil))
            if drainEvery > 0, i % drainEvery == 0 { try builder.drain(to: sink) }
        }
        builder.finish(meta: [], sequences: [0: 1])
        try builder.drain(to: sink)
        let size = try sink.finish()
        let bytes = try fs.open(StorePath.join(directory, name), create: false).readAll()
        #expect(bytes.count == size)
        #expect(!fs.exists(StorePath.join(directory, name + ".tmp")))
        // It opens as a segment and every block checks out.
        let segment = try SegmentFile(fs: fs, path: StorePath.join(directory, name), id: 7, version: 1)
        try segment.verifyAllBlocks()
        #expect(segment.entries.count == 3000)
        #expect(segment.entries.map(\.block) == builder.entries.map(\.block))
        return bytes
    }

    @Test("Opening checks every block's checksum in read runs of any size, and finds a flipped byte in any block")
    func verifyFindsDamageInEveryRun() throws {
        let dir = StoreTestData.temporaryDirectory("segment-verify")
        defer { StoreTestData.removeDirectory(dir) }
        let bytes = try build(threads: 1, drainEvery: 0, directory: dir)
        let path = StorePath.join(dir, "seg-1-0-false.seg")
        let intact = try SegmentFile(fs: PosixFileSystem(), path: path, id: 7, version: 1)
        let blocks = Set(intact.entries.map(\.block.offset)).sorted()
        #expect(blocks.count > 20)
        // One block per run, a few per run, one run for all.
        for runBytes in [1, 4096, 1 << 20] { try intact.verifyAllBlocks(readBytes: runBytes) }
        intact.close()
        // A byte flipped in the first, a middle and the last block: found with every run size.
        for damaged in [blocks.first!, blocks[blocks.count / 2], blocks.last!] {
            var copy = bytes
            copy[damaged + SegmentFormat.blockHeaderSize + 2] ^= 0x08
            let file = try PosixFileSystem().open(path, create: false)
            try file.write(copy, at: 0)
            file.close()
            let segment = try SegmentFile(fs: PosixFileSystem(), path: path, id: 7, version: 1)
            defer { segment.close() }
            for runBytes in [1, 4096, 1 << 20] {
                let error = #expect(throws: StrataError.self) { try segment.verifyAllBlocks(readBytes: runBytes) }
                #expect(error?.code == .dataLoss)
                #expect(error?.message.contains("block at \(damaged)") == true)
            }
        }
    }

    @Test("A segment built on several threads and streamed in pieces is byte for byte the one built on one")
    func parallelEqualsSerial() throws {
        let dir = StoreTestData.temporaryDirectory("segment-builder")
        defer { StoreTestData.removeDirectory(dir) }
        let serial = try build(threads: 1, drainEvery: 0, directory: dir)
        #expect(serial.count > 100_000)
        #expect(try build(threads: 3, drainEvery: 1, directory: dir) == serial)
        #expect(try build(threads: 4, drainEvery: 97, directory: dir) == serial)
        // Direct I/O (aligned staging, padding cut at the end) writes the same file.
        #expect(try build(threads: 2, drainEvery: 0, directory: dir, directIO: true) == serial)
        #expect(try build(threads: 2, drainEvery: 5, directory: dir, directIO: true) == serial)
        // Byte-granular file systems (the simulated disk) take the unstaged path.
        let simulated = SimulatedDiskTestDouble(seed: 3)
        try simulated.createDirectory(dir)
        #expect(try build(threads: 2, drainEvery: 13, directory: dir, fs: simulated) == serial)
    }
}
