import StrataCore

/// Builds one segment file in memory; the engine then writes it atomically.
///
/// Bodies are gathered into blocks of about `SegmentFormat.blockTarget` raw bytes, each
/// compressed with zstd (kept raw when that is not smaller) and checksummed.
final class SegmentBuilder {
    let id: UInt64
    private let version: UInt32
    private let compressor: ZstdCompressor
    private var writer = ByteWriter(capacity: 1 << 20)
    private var raw: [UInt8] = []
    private var open: [(namespace: String, hash: ContentHash, tokens: Int, textBytes: Int, dim: Int, inner: Int)] = []
    private(set) var entries: [SegmentIndexEntry] = []

    init(id: UInt64, version: UInt32, compressor: ZstdCompressor) {
        self.id = id
        self.version = version
        self.compressor = compressor
        raw.reserveCapacity(SegmentFormat.blockTarget + 4096)
        writer.raw(SegmentFormat.headerMagic)
        writer.u32(version)
        writer.u32(Checksum.crc32c(writer.bytes))
    }

    /// Adds a body to the open block (sealing it when full).
    func addBody(namespace: String, hash: ContentHash, tokenCount: Int, body: ChunkBody) {
        open.append((namespace, hash, tokenCount, body.text.count, body.vector?.count ?? 0, raw.count))
        raw.append(contentsOf: body.text)
        if let vector = body.vector { RecordCoding.appendFloat16(vector, to: &raw) }
        if raw.count >= SegmentFormat.blockTarget { sealBlock() }
    }

    private func sealBlock() {
        guard !open.isEmpty else { return }
        let compressed = compressor.compress(raw)
        let useZstd = compressed.count < raw.count
        let stored = useZstd ? compressed : raw
        let payloadLength = 5 + stored.count
        let offset = writer.bytes.count
        var head = ByteWriter(capacity: 16)
        head.u32(UInt32(raw.count))
        head.u8(useZstd ? 1 : 0)
        let crc = Checksum.crc32c(stored, seed: Checksum.crc32c(head.bytes))
        writer.u32(UInt32(payloadLength))
        writer.u32(crc)
        writer.raw(head.bytes)
        writer.raw(stored)
        writer.pad(to: 8)
        let length = writer.bytes.count - offset
        for b in open {
            entries.append(SegmentIndexEntry(namespace: b.namespace, hash: b.hash,
                                             block: BlockAddress(offset: offset, length: length, crc: crc, inner: b.inner),
                                             tokenCount: b.tokens, textBytes: b.textBytes, vectorDimension: b.dim))
        }
        open.removeAll(keepingCapacity: true)
        raw.removeAll(keepingCapacity: true)
    }

    /// Seals the last block and appends index, meta and footer; returns the complete file.
    func finish(meta: [MetaRecord], sequences: [UInt32: UInt64]) -> [UInt8] {
        sealBlock()
        var index = ByteWriter(capacity: entries.count * 80 + 8)
        index.u32(UInt32(entries.count))
        for e in entries {
            index.string(e.namespace)
            RecordCoding.encode(e.hash, into: &index)
            index.u64(UInt64(e.block.offset))
            index.u32(UInt32(e.block.length))
            index.u32(e.block.crc)
            index.u32(UInt32(e.block.inner))
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
