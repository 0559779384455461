import StrataCore

/// Builds one segment file in memory; the engine then writes it atomically.
final class SegmentBuilder {
    let id: UInt64
    private let version: UInt32
    private let compressor: ZstdCompressor
    private var writer = ByteWriter(capacity: 1 << 20)
    private(set) var entries: [SegmentIndexEntry] = []

    init(id: UInt64, version: UInt32, compressor: ZstdCompressor) {
        self.id = id
        self.version = version
        self.compressor = compressor
        writer.raw(SegmentFormat.headerMagic)
        writer.u32(version)
        writer.u32(Checksum.crc32c(writer.bytes))
    }

    /// Adds a body, compressing its text when that makes it smaller. Returns its location.
    @discardableResult
    func addBody(namespace: String, hash: ContentHash, tokenCount: Int, body: ChunkBody) -> BlobLocation {
        var payload = ByteWriter(capacity: body.text.count / 2 + body.vectorBytes + 32)
        payload.u32(UInt32(body.text.count))
        let compressed = body.text.count >= 64 ? compressor.compress(body.text) : body.text
        if compressed.count < body.text.count {
            payload.u8(1)
            payload.blob(compressed)
        } else {
            payload.u8(0)
            payload.blob(body.text)
        }
        RecordCoding.encode(body.vector, into: &payload)
        let crc = Checksum.crc32c(payload.bytes)
        var block = ByteWriter(capacity: payload.bytes.count + 16)
        block.u32(UInt32(payload.bytes.count))
        block.u32(crc)
        block.raw(payload.bytes)
        block.pad(to: 8)
        return addRawBlock(namespace: namespace, hash: hash, tokenCount: tokenCount, textBytes: body.text.count,
                           vectorDimension: body.vector?.count ?? 0, block: block.bytes, crc: crc)
    }

    /// Adds a block copied verbatim from another segment (compaction never recompresses).
    @discardableResult
    func addRawBlock(namespace: String, hash: ContentHash, tokenCount: Int, textBytes: Int, vectorDimension: Int,
                     block: [UInt8], crc: UInt32) -> BlobLocation {
        let offset = writer.bytes.count
        writer.raw(block)
        entries.append(SegmentIndexEntry(namespace: namespace, hash: hash, offset: offset, length: block.count, crc: crc,
                                         tokenCount: tokenCount, textBytes: textBytes, vectorDimension: vectorDimension))
        return .segment(id: id, offset: offset, length: block.count, crc: crc)
    }

    /// Appends index, meta and footer; returns the complete file.
    func finish(meta: [MetaRecord], sequences: [UInt32: UInt64]) -> [UInt8] {
        var index = ByteWriter(capacity: entries.count * 80 + 8)
        index.u32(UInt32(entries.count))
        for e in entries {
            index.string(e.namespace)
            RecordCoding.encode(e.hash, into: &index)
            index.u64(UInt64(e.offset))
            index.u32(UInt32(e.length))
            index.u32(e.crc)
            index.int(e.tokenCount)
            index.u32(UInt32(e.textBytes))
            index.u32(UInt32(e.vectorDimension))
        }
        let indexOffset = writer.bytes.count
        writer.raw(WALFrame.encode(index.bytes))

        let rawMeta = RecordCoding.encodeMeta(meta, sequences: sequences)
        var metaPayload = ByteWriter(capacity: rawMeta.count / 3 + 16)
        metaPayload.u32(UInt32(rawMeta.count))
        metaPayload.raw(compressor.compress(rawMeta))
        let metaOffset = writer.bytes.count
        writer.raw(WALFrame.encode(metaPayload.bytes))

        var footer = ByteWriter(capacity: SegmentFormat.footerSize)
        footer.u64(UInt64(indexOffset))
        footer.u64(UInt64(metaOffset))
        footer.u64(UInt64(entries.count))
        footer.u32(version)
        footer.u32(Checksum.crc32c(footer.bytes))
        footer.raw(SegmentFormat.footerMagic)
        writer.raw(footer.bytes)
        return writer.bytes
    }
}
