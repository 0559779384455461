import StrataCore

/// Builds one segment file; its bytes go to a `SegmentFileWriter` every few megabytes
/// (`drain`), so a segment is never held whole in memory.
///
/// Bodies are gathered into blocks of about `SegmentFormat.blockTarget` raw bytes, each
/// compressed with zstd (kept raw when that is not smaller) and checksummed. Sealed blocks
/// wait in `blocks` and are compressed a few at a time on several threads
/// (`ParallelBlockSealer`), then appended in order, so the file is the same as with one thread.
final class SegmentBuilder {
    let id: UInt64
    private let version: UInt32
    private let compressors: [ZstdCompressor]
    private var writer: ByteWriter
    /// Bytes already handed out by `drain` (file offsets continue from here).
    private var drained = 0
    /// Blocks of this round: `0..<closed` are full and wait for compression, `closed` is
    /// the one being filled. Kept across rounds so their buffers are reused.
    private var blocks: [SegmentBlock] = [SegmentBlock()]
    private var closed = 0
    private(set) var entries: [SegmentIndexEntry] = []

    /// Output is drained once past this many bytes; the buffer is reused, not regrown.
    static let drainThreshold = 4 << 20

    init(id: UInt64, version: UInt32, compressors: [ZstdCompressor]) {
        precondition(!compressors.isEmpty, "at least one compressor")
        self.id = id
        self.version = version
        self.compressors = compressors
        writer = ByteWriter(capacity: Self.drainThreshold + (4 << 20))
        writer.raw(SegmentFormat.headerMagic)
        writer.u32(version)
        writer.u32(Checksum.crc32c(writer.bytes))
    }

    /// Blocks compressed together per round: 2 MiB per thread. Each round ends in a join of
    /// the threads, and on a loaded machine a join waits for the slowest thread to be
    /// scheduled again (~10 ms ticks were seen at 8 blocks per thread); with one thread (a
    /// background flush on 2 cores) there is no join and the round size only bounds memory.
    private var pendingLimit: Int { 64 * compressors.count }

    /// Adds a body to the open block (closing it when full).
    func addBody(namespace: String, hash: ContentHash, tokenCount: Int, body: ChunkBody) {
        blocks[closed].bodies.append(SegmentBlock.Body(namespace: namespace, hash: hash, tokens: tokenCount, textBytes: body.text.count,
                                                       dimension: body.vector?.count ?? 0, inner: blocks[closed].raw.count))
        blocks[closed].raw.append(contentsOf: body.text)
        if let vector = body.vector { RecordCoding.appendFloat16(vector, to: &blocks[closed].raw) }
        if blocks[closed].raw.count >= SegmentFormat.blockTarget { closeBlock() }
    }

    private func closeBlock() {
        guard !blocks[closed].bodies.isEmpty else { return }
        closed += 1
        if closed == blocks.count { blocks.append(SegmentBlock()) }
        if closed >= pendingLimit { writeClosed() }
    }

    /// Compresses the closed blocks in parallel and appends them in the order they were closed.
    private func writeClosed() {
        guard closed > 0 else { return }
        ParallelBlockSealer.seal(&blocks, count: closed, compressors: compressors)
        for k in 0..<closed {
            let offset = drained + writer.bytes.count
            let crc = blocks[k].crc
            let head = blocks[k].head
            blocks[k].withStored { stored in
                writer.u32(UInt32(head.count + stored.count))
                writer.u32(crc)
                writer.raw(head)
                writer.raw(stored)
            }
            writer.pad(to: 8)
            let address = BlockAddress(offset: offset, length: drained + writer.bytes.count - offset, crc: crc, inner: 0)
            for b in blocks[k].bodies {
                var at = address
                at.inner = b.inner
                entries.append(SegmentIndexEntry(namespace: b.namespace, hash: b.hash, block: at,
                                                 tokenCount: b.tokens, textBytes: b.textBytes, vectorDimension: b.dimension))
            }
            blocks[k].reset()
        }
        // The open block (still empty: bodies are only added after a round) moves to the front.
        blocks.swapAt(0, closed)
        closed = 0
    }

    /// Output bytes not yet drained.
    var pendingOutput: Int { writer.bytes.count }

    /// Hands the output so far to `sink` and empties the buffer (keeping its memory).
    func drain(to sink: SegmentFileWriter) throws(StrataError) {
        try sink.append(writer.bytes)
        drained += writer.bytes.count
        writer.bytes.removeAll(keepingCapacity: true)
    }

    /// Drains when the output has grown past `drainThreshold` (after each body is cheap).
    func drainIfLarge(to sink: SegmentFileWriter) throws(StrataError) {
        if writer.bytes.count >= Self.drainThreshold { try drain(to: sink) }
    }

    /// Seals the last block and appends index, meta and footer (drain afterwards).
    func finish(meta: [MetaRecord], sequences: [UInt32: UInt64]) {
        closeBlock()
        writeClosed()
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
        let indexOffset = drained + writer.bytes.count
        writer.raw(WALFrame.encode(index.bytes))

        let rawMeta = RecordCoding.encodeMeta(meta, sequences: sequences)
        var metaPayload = ByteWriter(capacity: rawMeta.count / 3 + 16)
        metaPayload.u32(UInt32(rawMeta.count))
        metaPayload.raw(compressors[0].compress(rawMeta))
        let metaOffset = drained + writer.bytes.count
        writer.raw(WALFrame.encode(metaPayload.bytes))

        var footer = ByteWriter(capacity: SegmentFormat.footerSize)
        footer.u64(UInt64(indexOffset))
        footer.u64(UInt64(metaOffset))
        footer.u64(UInt64(entries.count))
        footer.u32(version)
        footer.u32(Checksum.crc32c(footer.bytes))
        footer.raw(SegmentFormat.footerMagic)
        writer.raw(footer.bytes)
    }
}
