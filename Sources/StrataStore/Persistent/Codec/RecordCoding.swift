import StrataCore

/// Binary encodings of WAL records (`SlotWrite` with chunk bodies, vectors at FP16) and of
/// segment meta records (`MetaRecord`, bodies replaced by hashes).
enum RecordCoding {
    /// 2: puts carry the document's metadata (after the document id). Version 1 records are
    /// only ever found in format-1 data directories, which this build refuses at open.
    static let walRecordVersion: UInt8 = 2

    private enum Kind: UInt8 { case put = 1, delete = 2, drop = 3, forgetSlot = 4 }

    // MARK: shared pieces

    static func encode(_ p: ChunkProvenance, into w: inout ByteWriter) {
        w.string(p.documentID)
        w.int(p.byteStart)
        w.int(p.byteEnd)
        w.int(p.lineStart)
        w.int(p.lineEnd)
    }

    static func decodeProvenance(_ r: inout ByteReader) throws(StrataError) -> ChunkProvenance {
        ChunkProvenance(documentID: try r.string(), byteStart: try r.int(), byteEnd: try r.int(),
                        lineStart: try r.int(), lineEnd: try r.int())
    }

    /// u32 pair count, then each key and value as strings (already sorted and unique).
    static func encode(_ metadata: DocumentMetadata, into w: inout ByteWriter) {
        w.u32(UInt32(metadata.pairs.count))
        for pair in metadata.pairs {
            w.string(pair.key)
            w.string(pair.value)
        }
    }

    /// Reads metadata back, checking what the writer guarantees (sorted unique keys within
    /// the limits), so a damaged record is `dataLoss` instead of a document that could never
    /// have been written.
    static func decodeMetadata(_ r: inout ByteReader) throws(StrataError) -> DocumentMetadata {
        let count = Int(try r.u32())
        guard count > 0 else { return .empty }
        guard count <= DocumentMetadata.maximumPairs else {
            throw .dataLoss("\(r.context): metadata has \(count) pairs; the maximum is \(DocumentMetadata.maximumPairs)")
        }
        var pairs: [DocumentMetadata.Pair] = []
        pairs.reserveCapacity(count)
        for _ in 0..<count {
            let pair = DocumentMetadata.Pair(key: try r.string(), value: try r.string())
            if let last = pairs.last, !DocumentMetadata.precedes(last.key, pair.key) {
                throw .dataLoss("\(r.context): metadata keys are not sorted and unique")
            }
            guard pair.key.utf8.count <= DocumentMetadata.maximumKeyBytes, pair.value.utf8.count <= DocumentMetadata.maximumValueBytes else {
                throw .dataLoss("\(r.context): metadata pair over the size limits")
            }
            pairs.append(pair)
        }
        return DocumentMetadata(sortedUnique: pairs)
    }

    static func encode(_ vector: [Float16]?, into w: inout ByteWriter) {
        guard let vector else { w.u32(0); return }
        w.u32(UInt32(vector.count))
        appendFloat16(vector, to: &w.bytes)
    }

    /// Appends FP16 values little-endian (a bulk copy on little-endian machines).
    static func appendFloat16(_ vector: [Float16], to bytes: inout [UInt8]) {
        #if _endian(little)
        vector.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for x in vector { bytes.append(UInt8(x.bitPattern & 0xFF)); bytes.append(UInt8(x.bitPattern >> 8)) }
        #endif
    }

    /// Reads `count` little-endian FP16 values.
    static func loadFloat16(_ raw: ArraySlice<UInt8>, count: Int) -> [Float16] {
        [Float16](unsafeUninitializedCapacity: count) { dst, n in
            raw.withUnsafeBytes { src in
                for k in 0..<count {
                    dst[k] = Float16(bitPattern: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self)))
                }
            }
            n = count
        }
    }

    static func decodeVector(_ r: inout ByteReader) throws(StrataError) -> [Float16]? {
        let n = Int(try r.u32())
        guard n > 0 else { return nil }
        return loadFloat16(try r.raw(n * 2), count: n)
    }

    static func encode(_ h: ContentHash, into w: inout ByteWriter) { w.u64(h.high); w.u64(h.low) }

    static func decodeHash(_ r: inout ByteReader) throws(StrataError) -> ContentHash {
        ContentHash(high: try r.u64(), low: try r.u64())
    }

    // MARK: WAL records

    /// A validated write, bodies already converted to their stored form.
    struct PreparedPut: Sendable {
        var key: DocumentKey
        var chunks: [DocChunk]
        var bodies: [ChunkBody]
        var metadata: DocumentMetadata
    }

    static func encodeWAL(slot: UInt32, sequence: UInt64, operations: [PreparedOperation]) -> [UInt8] {
        var w = ByteWriter(capacity: estimatedWALSize(operations))
        encodeWAL(slot: slot, sequence: sequence, operations: operations, into: &w)
        return w.bytes
    }

    /// The batch as one complete WAL frame (see `WALFrame`), encoded in place, and its payload
    /// length. The buffer is sized up front so a megabyte batch is neither regrown nor copied.
    static func encodeWALFrame(slot: UInt32, sequence: UInt64, operations: [PreparedOperation]) -> (frame: [UInt8], payload: Int) {
        var frame: [UInt8] = []
        let payload = encodeWALFrame(slot: slot, sequence: sequence, operations: operations, into: &frame)
        return (frame, payload)
    }

    /// Same, into `frame` (emptied first, its allocation kept: see `WALBufferPool`).
    static func encodeWALFrame(slot: UInt32, sequence: UInt64, operations: [PreparedOperation], into frame: inout [UInt8]) -> Int {
        var w = ByteWriter(capacity: 0)
        // Swapped in and out, so the buffer stays uniquely referenced and is never copied.
        swap(&w.bytes, &frame)
        w.bytes.removeAll(keepingCapacity: true)
        w.bytes.reserveCapacity(estimatedWALSize(operations) + WALFrame.headerSize + WALFrame.alignment)
        let start = WALFrame.begin(&w)
        encodeWAL(slot: slot, sequence: sequence, operations: operations, into: &w)
        let payload = WALFrame.finish(&w, start: start)
        swap(&w.bytes, &frame)
        return payload
    }

    /// An upper bound of the encoded size (exact but for the names' UTF-8 lengths, counted generously).
    static func estimatedWALSize(_ operations: [PreparedOperation]) -> Int {
        var n = 32
        for op in operations {
            switch op {
            case .put(let put):
                n += 16 + put.key.namespace.utf8.count + put.key.documentID.utf8.count + put.metadata.encodedSize
                for (chunk, body) in zip(put.chunks, put.bodies) {
                    n += 4 + body.text.count + 8 + 4 + chunk.provenance.documentID.utf8.count + 32 + 4 + 2 * (body.vector?.count ?? 0)
                }
            case .delete(let key):
                n += 16 + key.namespace.utf8.count + key.documentID.utf8.count
            case .drop(let namespace):
                n += 8 + namespace.utf8.count
            case .forgetSlot:
                n += 1
            }
        }
        return n
    }

    static func encodeWAL(slot: UInt32, sequence: UInt64, operations: [PreparedOperation], into w: inout ByteWriter) {
        w.u8(walRecordVersion)
        w.u32(slot)
        w.u64(sequence)
        w.u32(UInt32(operations.count))
        for op in operations {
            switch op {
            case .put(let put):
                w.u8(Kind.put.rawValue)
                w.string(put.key.namespace)
                w.string(put.key.documentID)
                encode(put.metadata, into: &w)
                w.u32(UInt32(put.chunks.count))
                for (chunk, body) in zip(put.chunks, put.bodies) {
                    w.blob(body.text)
                    w.int(chunk.tokenCount)
                    encode(chunk.provenance, into: &w)
                    encode(body.vector, into: &w)
                }
            case .delete(let key):
                w.u8(Kind.delete.rawValue)
                w.string(key.namespace)
                w.string(key.documentID)
            case .drop(let namespace):
                w.u8(Kind.drop.rawValue)
                w.string(namespace)
            case .forgetSlot:
                w.u8(Kind.forgetSlot.rawValue)
            }
        }
    }

    static func decodeWAL(_ bytes: ArraySlice<UInt8>) throws(StrataError) -> (slot: UInt32, sequence: UInt64, operations: [PreparedOperation]) {
        var r = ByteReader(bytes, context: "WAL record")
        let version = try r.u8()
        guard version == walRecordVersion else {
            throw .failedPrecondition("WAL record version \(version) is not supported (this build reads \(walRecordVersion))")
        }
        let slot = try r.u32()
        let sequence = try r.u64()
        let count = Int(try r.u32())
        var ops: [PreparedOperation] = []
        for _ in 0..<count {
            guard let kind = Kind(rawValue: try r.u8()) else { throw .dataLoss("WAL record: unknown operation kind") }
            switch kind {
            case .put:
                let key = DocumentKey(namespace: try r.string(), documentID: try r.string())
                let metadata = try decodeMetadata(&r)
                let n = Int(try r.u32())
                var chunks: [DocChunk] = []
                var bodies: [ChunkBody] = []
                for _ in 0..<n {
                    let text = Array(try r.blob())
                    let tokens = try r.int()
                    let provenance = try decodeProvenance(&r)
                    let vector = try decodeVector(&r)
                    chunks.append(DocChunk(hash: ContentHash.of(text), tokenCount: tokens, provenance: provenance))
                    bodies.append(ChunkBody(text: text, vector: vector))
                }
                ops.append(.put(PreparedPut(key: key, chunks: chunks, bodies: bodies, metadata: metadata)))
            case .delete:
                ops.append(.delete(DocumentKey(namespace: try r.string(), documentID: try r.string())))
            case .drop:
                ops.append(.drop(try r.string()))
            case .forgetSlot:
                ops.append(.forgetSlot)
            }
        }
        return (slot, sequence, ops)
    }

    // MARK: segment meta records

    static func encodeMeta(_ records: [MetaRecord], sequences: [UInt32: UInt64]) -> [UInt8] {
        var w = ByteWriter(capacity: 64 * records.count + 64)
        w.u32(UInt32(sequences.count))
        for (slot, seq) in sequences.sorted(by: { $0.key < $1.key }) { w.u32(slot); w.u64(seq) }
        w.u32(UInt32(records.count))
        for record in records {
            w.u32(record.slot)
            w.u64(record.sequence)
            switch record.operation {
            case .put(let key, let chunks, let metadata):
                w.u8(Kind.put.rawValue)
                w.string(key.namespace)
                w.string(key.documentID)
                encode(metadata, into: &w)
                w.u32(UInt32(chunks.count))
                for c in chunks {
                    encode(c.hash, into: &w)
                    w.int(c.tokenCount)
                    encode(c.provenance, into: &w)
                }
            case .delete(let key):
                w.u8(Kind.delete.rawValue)
                w.string(key.namespace)
                w.string(key.documentID)
            case .drop(let namespace):
                w.u8(Kind.drop.rawValue)
                w.string(namespace)
            case .forgetSlot:
                w.u8(Kind.forgetSlot.rawValue)
            }
        }
        return w.bytes
    }

    static func decodeMeta(_ bytes: [UInt8], context: String) throws(StrataError) -> (records: [MetaRecord], sequences: [UInt32: UInt64]) {
        var r = ByteReader(bytes, context: context)
        var sequences: [UInt32: UInt64] = [:]
        for _ in 0..<Int(try r.u32()) { sequences[try r.u32()] = try r.u64() }
        let count = Int(try r.u32())
        var records: [MetaRecord] = []
        records.reserveCapacity(min(count, 1 << 20))
        for _ in 0..<count {
            let slot = try r.u32()
            let seq = try r.u64()
            guard let kind = Kind(rawValue: try r.u8()) else { throw .dataLoss("\(context): unknown operation kind") }
            switch kind {
            case .put:
                let key = DocumentKey(namespace: try r.string(), documentID: try r.string())
                let metadata = try decodeMetadata(&r)
                let n = Int(try r.u32())
                var chunks: [DocChunk] = []
                chunks.reserveCapacity(min(n, 1 << 16))
                for _ in 0..<n {
                    chunks.append(DocChunk(hash: try decodeHash(&r), tokenCount: try r.int(), provenance: try decodeProvenance(&r)))
                }
                records.append(MetaRecord(slot: slot, sequence: seq, operation: .put(key, chunks, metadata)))
            case .delete:
                records.append(MetaRecord(slot: slot, sequence: seq, operation: .delete(DocumentKey(namespace: try r.string(), documentID: try r.string()))))
            case .drop:
                records.append(MetaRecord(slot: slot, sequence: seq, operation: .drop(namespace: try r.string())))
            case .forgetSlot:
                records.append(MetaRecord(slot: slot, sequence: seq, operation: .forgetSlot))
            }
        }
        return (records, sequences)
    }
}
