import StrataCore

/// Appends frames to one WAL file. One writer at a time: the engine's group-commit leader,
/// which appends and syncs outside the engine's lock (only one leader runs at a time).
///
/// On the real file system appends use direct I/O (`StoreFile.writeAlignment` 4096): no copy
/// into the page cache, no page allocation and release per megabyte, like the raw-bandwidth
/// probe. Direct writes must cover whole aligned blocks, so each append rewrites the partial
/// last block: the bytes of it already in the file (kept in `tail`, identical) followed by the
/// new frames, zero-padded to the block end. The zeros after the last frame are what a torn
/// tail looks like to `WALScan` (nothing is lost there); `close` cuts them off.
/// Rewriting the block that holds acknowledged bytes needs the same from the disk as the
/// buffered path did: there the kernel wrote the partial last page out again at every
/// fdatasync, so both rely on a block write not damaging its old, identical contents.
final class WALWriter: @unchecked Sendable {
    let number: UInt64
    let path: String
    private let file: any StoreFile
    /// End of the last complete frame; the next append goes here.
    private(set) var endOffset: Int
    /// With direct I/O: the staging buffer, whose first `endOffset % alignment` bytes are the
    /// partial last block as it is on disk.
    private let staging: AlignedBuffer?

    private init(number: UInt64, path: String, file: any StoreFile, endOffset: Int, tail: [UInt8]) {
        self.number = number
        self.path = path
        self.file = file
        self.endOffset = endOffset
        let alignment = file.writeAlignment
        if alignment > 1 {
            let staging = AlignedBuffer(alignment: alignment, capacity: 2 << 20)
            precondition(tail.count == endOffset % alignment, "WAL tail does not match its end offset")
            tail.withUnsafeBytes { staging.pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            self.staging = staging
        } else {
            staging = nil
        }
    }

    /// Block size of direct-I/O appends (`PosixFile` opens WALs with this alignment).
    static let directAlignment = PosixFileSystem.directWriteAlignment

    /// Whether the bytes of a WAL file from `offset` (the end of its last valid frame) are
    /// only the zero padding of a direct write: all zero, the file ending on a block
    /// boundary, and the zeros starting inside that last block.
    static func isDirectWritePadding(_ bytes: [UInt8], from offset: Int) -> Bool {
        let trailing = bytes.count - offset
        guard trailing > 0, trailing < directAlignment, bytes.count % directAlignment == 0 else { return false }
        return bytes[offset...].allSatisfy { $0 == 0 }
    }

    /// Opens `path` for appends at `endOffset`, reading the partial last block the direct
    /// writes rewrite (through an ordinary descriptor: direct reads need alignment too).
    private static func openForAppends(fs: any StoreFileSystem, path: String, number: UInt64, endOffset: Int) throws(StrataError) -> WALWriter {
        let file = try fs.openForAppends(path)
        var tail: [UInt8] = []
        let alignment = file.writeAlignment
        if alignment > 1, endOffset % alignment != 0 {
            let reader = try fs.open(path, create: false)
            defer { reader.close() }
            let start = endOffset - endOffset % alignment
            tail = try reader.read(at: start, count: endOffset - start)
            guard tail.count == endOffset - start else {
                file.close()
                throw .dataLoss("WAL \(path) is shorter than its last valid frame end \(endOffset)")
            }
        }
        return WALWriter(number: number, path: path, file: file, endOffset: endOffset, tail: tail)
    }

    static func fileName(_ number: UInt64) -> String { "wal-\(String(format6(number))).log" }

    /// Creates a new, empty WAL file atomically: header written and synced under a temp name,
    /// renamed into place, directory synced. A crash leaves either no file or a valid empty one.
    static func create(fs: any StoreFileSystem, directory: String, number: UInt64, version: UInt32) throws(StrataError) -> WALWriter {
        let path = StorePath.join(directory, fileName(number))
        let temp = path + ".tmp"
        let file = try fs.open(temp, create: true)
        do throws(StrataError) {
            try file.truncate(to: 0)
            try file.write(WALFrame.fileHeader(version: version), at: 0)
            try file.sync()
            try fs.rename(temp, to: path)
            try fs.syncDirectory(directory)
        } catch {
            file.close()
            try? fs.remove(temp)
            throw error
        }
        file.close()
        return try openForAppends(fs: fs, path: path, number: number, endOffset: WALFrame.fileHeaderSize)
    }

    /// Reopens an existing WAL for appending after recovery scanned it up to `validEnd`.
    static func reopen(fs: any StoreFileSystem, directory: String, number: UInt64, validEnd: Int) throws(StrataError) -> WALWriter {
        try openForAppends(fs: fs, path: StorePath.join(directory, fileName(number)), number: number, endOffset: validEnd)
    }

    /// Writes one frame. On failure (a full disk) the partial frame is cut off again, so the
    /// log stays a sequence of whole frames.
    func append(_ payload: [UInt8]) throws(StrataError) {
        guard payload.count <= WALFrame.maxPayload else {
            throw .resourceExhausted("write batch encodes to \(payload.count) bytes; the limit is \(WALFrame.maxPayload)")
        }
        try append(frame: WALFrame.encode(payload), payload: payload.count)
    }

    /// Writes one frame already encoded by `WALFrame.begin`/`finish` (one `pwrite` per batch).
    func append(frame: [UInt8], payload: Int) throws(StrataError) {
        guard payload <= WALFrame.maxPayload else {
            throw .resourceExhausted("write batch encodes to \(payload) bytes; the limit is \(WALFrame.maxPayload)")
        }
        try append(frames: [frame])
    }

    /// Writes several frames (already encoded, each within `WALFrame.maxPayload`) with one
    /// write: a group commit's frames. On failure none of them is in the log (the file is cut
    /// back to where they started).
    func append(frames: [[UInt8]]) throws(StrataError) {
        guard !frames.isEmpty else { return }
        let total = frames.reduce(0) { $0 + $1.count }
        do throws(StrataError) {
            if let staging {
                try writeDirect(frames, count: total, staging: staging)
            } else if frames.count == 1 {
                try file.write(frames[0], at: endOffset)
            } else {
                try file.write(frames.flatMap { $0 }, at: endOffset)
            }
        } catch {
            try? file.truncate(to: endOffset)
            throw error
        }
        endOffset += total
    }

    /// One aligned write: the partial last block (already at the front of `staging`), the
    /// frames (`count` bytes in all), zeros to the block end. Then the new partial block
    /// moves to the front.
    private func writeDirect(_ frames: [[UInt8]], count: Int, staging: AlignedBuffer) throws(StrataError) {
        let alignment = staging.alignment
        let tailCount = endOffset % alignment
        let used = tailCount + count
        let padded = (used + alignment - 1) / alignment * alignment
        staging.reserve(padded, keeping: tailCount)
        let base = staging.pointer
        var at = tailCount
        for frame in frames {
            frame.withUnsafeBytes { (base + at).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            at += frame.count
        }
        (base + used).initializeMemory(as: UInt8.self, repeating: 0, count: padded - used)
        try file.write(from: base, count: padded, at: endOffset - tailCount)
        let newTail = used % alignment
        if newTail > 0 { base.copyMemory(from: base + (used - newTail), byteCount: newTail) }
    }

    func sync() throws(StrataError) { try file.sync() }

    /// Cuts the zero padding of the last direct write (so a clean reopen finds a clean
    /// ending), then closes. Nothing depends on the cut being durable.
    func close() {
        if staging != nil { try? file.truncate(to: endOffset) }
        file.close()
    }
}

/// Zero-padded decimal so that file names sort in number order.
func format6(_ n: UInt64) -> String {
    let s = String(n)
    return s.count >= 8 ? s : String(repeating: "0", count: 8 - s.count) + s
}
