import StrataCore
import Synchronization

/// An open, verified segment: its index and meta records, and checked reads of its blocks.
///
/// Opening verifies the header, footer, index frame and meta frame checksums; reading a
/// body verifies the block's checksum against both the block header and the index. Any
/// mismatch is `dataLoss` and the engine quarantines the segment.
final class SegmentFile: @unchecked Sendable {
    let id: UInt64
    let path: String
    let fileSize: Int
    let entries: [SegmentIndexEntry]
    let meta: [MetaRecord]
    let sequences: [UInt32: UInt64]
    private let file: any StoreFile
    private let lastBlock = Mutex<(offset: Int, raw: [UInt8])?>(nil)

    /// Opens a segment this process has just written and synced, taking its index and meta
    /// from memory instead of decoding them again (block reads still verify checksums).
    init(justWritten path: String, id: UInt64, fs: any StoreFileSystem, size: Int, entries: [SegmentIndexEntry],
         meta: [MetaRecord], sequences: [UInt32: UInt64]) throws(StrataError) {
        self.id = id
        self.path = path
        self.file = try fs.open(path, create: false)
        self.fileSize = size
        self.entries = entries
        self.meta = meta
        self.sequences = sequences
    }

    /// Opens and verifies a segment from disk: header, footer, index and meta checksums.
    init(fs: any StoreFileSystem, path: String, id: UInt64, version: UInt32) throws(StrataError) {
        self.id = id
        self.path = path
        let file = try fs.open(path, create: false)
        self.file = file
        let size = try file.size()
        self.fileSize = size
        let what = "segment \(path)"
        guard size >= SegmentFormat.headerSize + SegmentFormat.footerSize else { throw .dataLoss("\(what): too short (\(size) bytes)") }

        let header = try file.read(at: 0, count: SegmentFormat.headerSize)
        guard Array(header[0..<8]) == SegmentFormat.headerMagic else { throw .dataLoss("\(what): bad header magic") }
        var hr = ByteReader(header[8...], context: what)
        let headerVersion = try hr.u32()
        guard try hr.u32() == Checksum.crc32c(header[0..<12]) else { throw .dataLoss("\(what): header checksum mismatch") }
        guard headerVersion == version else {
            throw .failedPrecondition("\(what) has format version \(headerVersion); this build reads version \(version)")
        }

        let footer = try file.read(at: size - SegmentFormat.footerSize, count: SegmentFormat.footerSize)
        guard Array(footer[32..<40]) == SegmentFormat.footerMagic else { throw .dataLoss("\(what): bad footer magic") }
        // The checksum first: the fields are only read from a footer that is intact.
        guard try ByteReader(footer[28..<32], context: what).peekU32() == Checksum.crc32c(footer[0..<28]) else {
            throw .dataLoss("\(what): footer checksum mismatch")
        }
        var fr = ByteReader(footer[0..<32], context: what)
        let indexOffset = try fr.size()
        let metaOffset = try fr.size()
        let count = try fr.size()
        let footerStart = size - SegmentFormat.footerSize
        guard indexOffset >= SegmentFormat.headerSize, indexOffset < metaOffset, metaOffset < footerStart else {
            throw .dataLoss("\(what): footer offsets out of range")
        }

        let indexFrame = try file.read(at: indexOffset, count: metaOffset - indexOffset)
        guard let indexPayload = WALFrame.decode(indexFrame, at: 0) else { throw .dataLoss("\(what): index checksum mismatch") }
        var ir = ByteReader(indexFrame[indexPayload], context: "\(what) index")
        let n = Int(try ir.u32())
        guard n == count else { throw .dataLoss("\(what): index has \(n) entries, footer says \(count)") }
        var entries: [SegmentIndexEntry] = []
        entries.reserveCapacity(n)
        for _ in 0..<n {
            let namespace = try ir.string()
            let hash = try RecordCoding.decodeHash(&ir)
            let block = BlockAddress(offset: try ir.size(), length: Int(try ir.u32()), crc: try ir.u32(), inner: Int(try ir.u32()))
            let e = SegmentIndexEntry(namespace: namespace, hash: hash, block: block, tokenCount: try ir.int(),
                                      textBytes: Int(try ir.u32()), vectorDimension: Int(try ir.u32()))
            guard block.offset >= SegmentFormat.headerSize, block.offset <= indexOffset, block.length <= indexOffset - block.offset else {
                throw .dataLoss("\(what): index entry points outside the block area")
            }
            entries.append(e)
        }
        self.entries = entries

        let metaFrame = try file.read(at: metaOffset, count: footerStart - metaOffset)
        guard let metaPayload = WALFrame.decode(metaFrame, at: 0) else { throw .dataLoss("\(what): meta checksum mismatch") }
        var mr = ByteReader(metaFrame[metaPayload], context: "\(what) meta")
        let rawLength = Int(try mr.u32())
        let compressed = metaFrame[(metaPayload.lowerBound + 4)..<metaPayload.upperBound]
        let raw = try ZstdDecompressor().decompress(compressed, expectedSize: rawLength, what: "\(what) meta")
        let decoded = try RecordCoding.decodeMeta(raw, context: "\(what) meta")
        self.meta = decoded.records
        self.sequences = decoded.sequences
    }

    /// Reads one block, verifies its checksum and returns its raw (decompressed) bytes. The
    /// last block read is kept, so reading a document's neighbouring chunks decompresses once.
    func rawBlock(_ address: BlockAddress, pool: ZstdPool) throws(StrataError) -> [UInt8] {
        if let cached = lastBlock.withLock({ $0 }), cached.offset == address.offset { return cached.raw }
        let block = try file.read(at: address.offset, count: address.length)
        let what = "segment \(path) block at \(address.offset)"
        let (rawLength, codec, stored) = try Self.checkedPayload(block[...], address: address, what: what)
        let raw: [UInt8]
        if codec == 0 {
            raw = Array(stored)
        } else {
            raw = try pool.withDecompressor { (d) throws(StrataError) in try d.decompress(stored, expectedSize: rawLength, what: what) }
        }
        lastBlock.withLock { $0 = (address.offset, raw) }
        return raw
    }

    /// A block's stored payload once its length and checksum (against the block header and
    /// the index) are checked, with its raw length and codec (0 stored, 1 zstd).
    private static func checkedPayload(_ block: ArraySlice<UInt8>, address: BlockAddress, what: String) throws(StrataError)
        -> (rawLength: Int, codec: UInt8, stored: ArraySlice<UInt8>)
    {
        let start = block.startIndex
        guard block.count == address.length, address.length >= SegmentFormat.blockHeaderSize + 5 else { throw .dataLoss("\(what): short read") }
        var r = ByteReader(block[start..<(start + 8)], context: what)
        let payloadLength = Int(try r.u32())
        let storedCRC = try r.u32()
        guard payloadLength >= 5, payloadLength <= address.length - SegmentFormat.blockHeaderSize, storedCRC == address.crc,
              Checksum.crc32c(block[(start + 8)..<(start + 8 + payloadLength)]) == address.crc
        else { throw .dataLoss("\(what): checksum mismatch") }
        var p = ByteReader(block[(start + 8)..<(start + 8 + payloadLength)], context: what)
        let rawLength = Int(try p.u32())
        let codec = try p.u8()
        let stored = block[(start + 8 + 5)..<(start + 8 + payloadLength)]
        switch codec {
        case 0: guard stored.count == rawLength else { throw .dataLoss("\(what): raw length mismatch") }
        case 1: break
        default: throw .dataLoss("\(what): unknown codec \(codec)")
        }
        return (rawLength, codec, stored)
    }

    /// Reads and decodes one chunk body.
    func readBody(_ address: BlockAddress, textBytes: Int, vectorDimension: Int, pool: ZstdPool) throws(StrataError) -> ChunkBody {
        let raw = try rawBlock(address, pool: pool)
        let end = address.inner + textBytes + vectorDimension * 2
        guard address.inner >= 0, end <= raw.count else {
            throw .dataLoss("segment \(path) block at \(address.offset): body range \(address.inner)..<\(end) outside \(raw.count) bytes")
        }
        let text = Array(raw[address.inner..<(address.inner + textBytes)])
        let start = address.inner + textBytes
        let vector = vectorDimension > 0 ? RecordCoding.loadFloat16(raw[start..<(start + vectorDimension * 2)], count: vectorDimension) : nil
        return ChunkBody(text: text, vector: vector)
    }

    /// Verifies every block's checksum (used when opening with `verifyBlocksOnOpen`), so a
    /// segment damaged on disk is quarantined at open. Blocks are read in runs of up to
    /// `readBytes` and not decompressed: the checksum covers the stored bytes, so damage shows
    /// there, and every read checks it again before decompressing.
    func verifyAllBlocks(readBytes: Int = verifyReadBytes) throws(StrataError) {
        var seen = Set<Int>()
        let blocks = entries.map(\.block).filter { seen.insert($0.offset).inserted }.sorted { $0.offset < $1.offset }
        var first = 0
        while first < blocks.count {
            let start = blocks[first].offset
            var end = first + 1
            while end < blocks.count, blocks[end].offset + blocks[end].length - start <= readBytes { end += 1 }  // sorted: each starts at or after `start`
            let length = blocks[first..<end].map { $0.offset + $0.length }.max()! - start
            let run = try file.read(at: start, count: length)
            guard run.count == length else { throw .dataLoss("segment \(path) blocks at \(start): short read") }
            for block in blocks[first..<end] {
                let at = block.offset - start
                _ = try Self.checkedPayload(run[at..<(at + block.length)], address: block, what: "segment \(path) block at \(block.offset)")
            }
            first = end
        }
    }

    /// The most bytes one read of `verifyAllBlocks` takes (a single larger block is read whole).
    static let verifyReadBytes = 4 << 20

    /// Raw bytes of all bodies (for garbage accounting).
    var rawBodyBytes: Int { entries.reduce(0) { $0 + $1.textBytes + $1.vectorDimension * 2 } }

    func close() { file.close() }
}
